"""Norm and activation layers built by mmcv from small config dicts.

A config is ``dict(type=NAME, **kwargs)``; the kwargs go to the layer's
constructor. mmcv's ``build_norm_layer`` and ``build_activation_layer`` look
``NAME`` up in MMEngine's ``MODELS`` registry (from the current default scope's
registry up), where mmcv registers PyTorch's layers: 'IN' is
``nn.InstanceNorm2d``, 'BN' ``nn.BatchNorm2d``, 'SyncBN' MMEngine's subclass
of ``nn.SyncBatchNorm``, 'GN' ``nn.GroupNorm`` (with ``num_groups``), and
'ReLU', 'LeakyReLU', 'Tanh' and other activations under their class names; a
layer anyone registers there works too. ``NAME`` may also be the
class itself. What this module adds to mmcv: ``None`` (or ``type='none'``)
means no layer, an unknown name is a one-line ValueError naming it, and the
authors' conv-bias rule.
"""

import inspect
from typing import Optional

from mmcv.cnn import build_activation_layer as mmcv_build_activation_layer
from mmcv.cnn import build_norm_layer as mmcv_build_norm_layer
from mmengine.registry import MODELS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ['build_activation_layer', 'build_norm_layer', 'conv_bias_for']


def _layer_class(cfg: Optional[dict], what: str) -> Optional[type]:
    """The class a layer config names, or None when it asks for no layer.

    Args:
        cfg (dict, optional): ``dict(type=NAME_OR_CLASS, **kwargs)`` or None.
        what (str): The argument's name, for the error messages.

    Returns:
        type or None: The class, or None for ``None`` and ``type='none'``.

    Raises:
        TypeError: If ``cfg`` is neither None nor a dict with a type.
        ValueError: If the type is a name nothing registered.
    """
    if cfg is None:
        return None
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise TypeError(
            f'{what} must be None or a dict with a "type" key, but got {cfg!r}'
        )
    layer_type = cfg['type']
    if inspect.isclass(layer_type):
        return layer_type
    if layer_type in (None, 'none'):
        return None
    # The lookup mmcv's builders do, ahead of them: for an unknown name they
    # raise a KeyError naming None (norm) or a quoted, tutorial-linking one.
    with MODELS.switch_scope_and_registry(None) as registry:
        layer_class = registry.get(layer_type)
    if layer_class is None:
        raise ValueError(
            f"{what} type must be a layer in MMEngine's MODELS registry (scope "
            f'{registry.scope!r}) or "none", but got {layer_type!r}'
        )
    return layer_class


def build_norm_layer(
    norm_cfg: Optional[dict], num_features: int
) -> Optional[nn.Module]:
    """Build the norm layer a config names, with mmcv's ``build_norm_layer``.

    mmcv's defaults are PyTorch's (``eps=1e-5``, parameters trainable), so
    ``dict(type='IN')`` is ``nn.InstanceNorm2d(C)``: no affine parameters, no
    running statistics, the authors' CycleGAN setting. mmcv also returns a name
    for the layer; the callers name it themselves.

    Args:
        norm_cfg (dict, optional): ``dict(type=NAME, **kwargs)``, e.g.
            ``dict(type='IN', affine=True)`` or ``dict(type='BN')``; 'none' or
            None means no norm.
        num_features (int): Channels of the normalised tensor.

    Returns:
        nn.Module or None: The layer, or None when the config asks for none.

    Raises:
        TypeError: If ``norm_cfg`` is neither None nor a dict with a type.
        ValueError: If the type is unknown.
    """
    if _layer_class(norm_cfg, 'norm_cfg') is None:
        return None
    return mmcv_build_norm_layer(norm_cfg, num_features)[1]


def conv_bias_for(norm_cfg: Optional[dict]) -> bool:
    """Whether a conv followed by this norm keeps its bias, as the authors do.

    The authors keep it with instance norm (``use_bias = norm is InstanceNorm2d``)
    and drop it with batch norm, whose learned shift makes it redundant; here it
    is dropped for every batch norm ('BN', 'SyncBN', ...) and kept otherwise.
    Without a norm it is kept: the authors' code drops it there too, which
    leaves such a network unable to shift its activations, so this is the one
    deliberate departure.

    Args:
        norm_cfg (dict, optional): The norm config, as for
            :func:`build_norm_layer`.

    Returns:
        bool: True if the conv should have a bias.

    Raises:
        TypeError: If ``norm_cfg`` is neither None nor a dict with a type.
        ValueError: If the type is unknown.
    """
    norm_class = _layer_class(norm_cfg, 'norm_cfg')
    return norm_class is None or not issubclass(norm_class, _BatchNorm)


def build_activation_layer(act_cfg: Optional[dict]) -> Optional[nn.Module]:
    """Build the activation a config names, with mmcv's ``build_activation_layer``.

    Args:
        act_cfg (dict, optional): ``dict(type=NAME, **kwargs)``, e.g.
            ``dict(type='LeakyReLU', negative_slope=0.2)``; 'none' or None
            means no activation.

    Returns:
        nn.Module or None: The layer, or None.

    Raises:
        TypeError: If ``act_cfg`` is neither None nor a dict with a type.
        ValueError: If the type is unknown.
    """
    if _layer_class(act_cfg, 'act_cfg') is None:
        return None
    return mmcv_build_activation_layer(act_cfg)
