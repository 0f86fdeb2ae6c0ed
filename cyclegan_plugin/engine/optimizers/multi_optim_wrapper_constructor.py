"""Builds one optimizer wrapper per sub-network (generators, discriminators)."""

from typing import Optional

import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from mmengine.registry import DefaultScope

from cyclegan_plugin.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MultiOptimWrapperConstructor:
    """Build an ``OptimWrapperDict`` with one wrapper per named sub-module.

    Example:
        >>> optim_wrapper = dict(
        ...     constructor='MultiOptimWrapperConstructor',
        ...     generators=dict(type='OptimWrapper', optimizer=dict(
        ...         type='Adam', lr=2e-4, betas=(0.5, 0.999))),
        ...     discriminators=dict(type='OptimWrapper', optimizer=dict(
        ...         type='Adam', lr=2e-4, betas=(0.5, 0.999))))

    Each key names an attribute of the model (``model.generators``); each
    value is an ordinary optimizer-wrapper config, built with MMEngine's
    ``DefaultOptimWrapperConstructor`` on that sub-module's parameters.

    Args:
        optim_wrapper_cfg (dict): Sub-module name → optimizer wrapper config.
        paramwise_cfg (dict, optional): Applied to every sub-module.
            Defaults to None.
    """

    def __init__(
        self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None
    ) -> None:
        if not isinstance(optim_wrapper_cfg, dict) or not optim_wrapper_cfg:
            raise TypeError(
                'optim_wrapper_cfg must be a non-empty dict of '
                'sub-module name -> optim wrapper config, but got '
                f'{optim_wrapper_cfg!r}'
            )
        for name, cfg in optim_wrapper_cfg.items():
            if not isinstance(cfg, dict) or 'optimizer' not in cfg:
                raise TypeError(
                    f'optim_wrapper.{name} must be a dict with an "optimizer" '
                    f'key (e.g. dict(type="OptimWrapper", optimizer=dict('
                    f'type="Adam", lr=2e-4))), but got {cfg!r}'
                )
        self.optim_wrapper_cfg = optim_wrapper_cfg
        self.paramwise_cfg = paramwise_cfg

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build the wrappers.

        Args:
            model (nn.Module): The model, possibly wrapped for DDP.

        Returns:
            OptimWrapperDict: One wrapper per configured sub-module.

        Raises:
            AttributeError: If the model has no sub-module of a given name.
        """
        if is_model_wrapper(model):
            model = model.module
        wrappers = {}
        for name, cfg in self.optim_wrapper_cfg.items():
            module = getattr(model, name, None)
            if not isinstance(module, nn.Module):
                children = [n for n, _ in model.named_children()]
                raise AttributeError(
                    f'optim_wrapper has a key {name!r} but the model '
                    f'{type(model).__name__} has no such sub-module; use one '
                    f'of {children}.'
                )
            if is_model_wrapper(module):
                module = module.module
            constructor = DefaultOptimWrapperConstructor(dict(cfg), self.paramwise_cfg)
            # Our scope first, so 'MixedPrecisionOptimWrapper' resolves from
            # any caller's default scope; MMEngine's wrappers via the parent.
            with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
                wrappers[name] = constructor(module)
        return OptimWrapperDict(**wrappers)
