"""The tools' speed switches as config edits: --amp, --winograd, --compile."""

from typing import Any, Literal

from mmengine.config import Config, ConfigDict

from .component_args import accepts_arg

__all__ = ['AmpDtype', 'enable_amp', 'enable_compile', 'enable_winograd']

AmpDtype = Literal['bfloat16', 'float16']


def enable_amp(cfg: Config, dtype: AmpDtype = 'bfloat16') -> Config:
    """Switch every optimizer wrapper to mixed precision.

    ``'float16'`` gives MMEngine's ``AmpOptimWrapper`` (GPU, dynamic loss
    scaling; a configured ``loss_scale`` is kept); ``'bfloat16'`` gives
    :class:`MixedPrecisionOptimWrapper`, its subclass that also runs on the
    CPU and needs no loss scaling. Works for a single wrapper and for the
    ``generators`` / ``discriminators`` pair of
    :class:`MultiOptimWrapperConstructor`.

    Args:
        cfg (Config): The config, changed in place.
        dtype (str): ``'bfloat16'`` (CPU or GPU) or ``'float16'`` (GPU, with
            loss scaling). Defaults to ``'bfloat16'``.

    Returns:
        Config: The same config.
    """
    optim = cfg.get('optim_wrapper')
    if optim is None:
        raise KeyError('--amp needs an optim_wrapper in the config.')
    wrappers = (
        [optim]
        if 'optimizer' in optim
        else [v for v in optim.values() if isinstance(v, (dict, ConfigDict))]
    )
    for wrapper in wrappers:
        if wrapper.get('type', 'OptimWrapper') not in (
            'OptimWrapper',
            'MixedPrecisionOptimWrapper',
            'AmpOptimWrapper',
        ):
            raise ValueError(
                f'--amp cannot convert optim wrapper type '
                f'{wrapper["type"]!r}; set its precision in the config.'
            )
        if dtype == 'float16':
            wrapper['type'] = 'AmpOptimWrapper'
        else:
            wrapper['type'] = 'MixedPrecisionOptimWrapper'
            wrapper.pop('loss_scale', None)
        wrapper['dtype'] = dtype
    return cfg


def enable_winograd(cfg: Config) -> Config:
    """Compute the generators on CPUs with the plugin's kernels.

    Sets ``model.cpu_kernels=True``: the model converts its generators with
    :func:`~cyclegan_plugin.ops.convert_to_cpu_kernels` (Winograd 3x3 convs,
    the 7x7 head by direct kernels, instance norm + ReLU fused) and keeps
    freed CPU memory for reuse. The parameters stay those of ``nn.Conv2d``
    and ``nn.InstanceNorm2d``, so checkpoints are interchangeable; on GPUs
    the layers use the native ops.

    Args:
        cfg (Config): The config, changed in place.

    Returns:
        Config: The same config.

    Raises:
        KeyError: If the config has no ``model``.
        ValueError: If the model type has no ``cpu_kernels`` option.
    """
    return _set_model_option(cfg, '--winograd', 'cpu_kernels', True)


def _set_model_option(cfg: Config, flag: str, key: str, value: Any) -> Config:
    """``cfg.model[key] = value``, refused by name if the model lacks ``key``."""
    model = cfg.get('model')
    if not model:
        raise KeyError(f'{flag} needs a model in the config.')
    if not accepts_arg(model.get('type'), key):
        raise ValueError(
            f'{flag}: model type {model.get("type")!r} has no {key} '
            'option (CycleGAN has).'
        )
    model[key] = value
    return cfg


def enable_compile(cfg: Config) -> Config:
    """Compile the model's networks with ``torch.compile`` (default options).

    Sets ``model.compile_cfg=dict()``. Compilation happens at the first call
    with each new input shape, so it pays off over many images of one size
    (e.g. ``tools/translate.py --size N``).

    Args:
        cfg (Config): The config, changed in place.

    Returns:
        Config: The same config.

    Raises:
        KeyError: If the config has no ``model``.
        ValueError: If the model type has no ``compile_cfg`` option.
    """
    return _set_model_option(cfg, '--compile', 'compile_cfg', dict())
