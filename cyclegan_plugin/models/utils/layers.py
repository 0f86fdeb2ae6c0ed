"""Conv, norm and activation layers built from small config dicts.

A config is ``dict(type=NAME, **kwargs)``; the kwargs go to the layer's
constructor. ``None`` (or ``type='none'``) means no layer.
"""

from typing import Dict, Optional, Type

from torch import nn

__all__ = [
    'ACTIVATION_LAYERS',
    'NORM_LAYERS',
    'build_activation_layer',
    'build_norm_layer',
    'conv_bias_for',
]

NORM_LAYERS: Dict[str, Type[nn.Module]] = {
    # PyTorch's InstanceNorm2d defaults (affine=False, track_running_stats=False)
    # are the authors' CycleGAN setting.
    'IN': nn.InstanceNorm2d,
    'BN': nn.BatchNorm2d,
    'SyncBN': nn.SyncBatchNorm,
}

ACTIVATION_LAYERS: Dict[str, Type[nn.Module]] = {
    'ReLU': nn.ReLU,
    'LeakyReLU': nn.LeakyReLU,
    'Tanh': nn.Tanh,
}

# Batch norm's learned shift makes a conv bias redundant, so the authors drop it.
_NORMS_WITHOUT_CONV_BIAS = ('BN', 'SyncBN')


def _norm_type(norm_cfg: Optional[dict]) -> Optional[str]:
    if norm_cfg is None:
        return None
    if not isinstance(norm_cfg, dict) or 'type' not in norm_cfg:
        raise TypeError(
            f'norm_cfg must be None or a dict with a "type" key, but got {norm_cfg!r}'
        )
    norm_type = norm_cfg['type']
    if norm_type in (None, 'none'):
        return None
    if norm_type not in NORM_LAYERS:
        raise ValueError(
            f'norm_cfg type must be one of {sorted(NORM_LAYERS)} or "none", '
            f'but got {norm_type!r}'
        )
    return norm_type


def build_norm_layer(
    norm_cfg: Optional[dict], num_features: int
) -> Optional[nn.Module]:
    """Build the norm layer a config names.

    Args:
        norm_cfg (dict, optional): ``dict(type='IN' | 'BN' | 'SyncBN' | 'none',
            **kwargs)``, e.g. ``dict(type='IN', affine=True)``. None means no
            norm.
        num_features (int): Channels of the normalised tensor.

    Returns:
        nn.Module or None: The layer, or None when the config asks for none.

    Raises:
        TypeError: If ``norm_cfg`` is neither None nor a dict with a type.
        ValueError: If the type is unknown.
    """
    norm_type = _norm_type(norm_cfg)
    if norm_type is None:
        return None
    kwargs = {key: value for key, value in norm_cfg.items() if key != 'type'}
    return NORM_LAYERS[norm_type](num_features, **kwargs)


def conv_bias_for(norm_cfg: Optional[dict]) -> bool:
    """Whether a conv followed by this norm keeps its bias, as the authors do.

    The authors keep it with instance norm (``use_bias = norm is InstanceNorm2d``)
    and drop it with batch norm. Without a norm it is kept: the authors' code
    drops it there too, which leaves such a network unable to shift its
    activations, so this is the one deliberate departure.

    Args:
        norm_cfg (dict, optional): The norm config, as for
            :func:`build_norm_layer`.

    Returns:
        bool: True if the conv should have a bias.
    """
    return _norm_type(norm_cfg) not in _NORMS_WITHOUT_CONV_BIAS


def build_activation_layer(act_cfg: Optional[dict]) -> Optional[nn.Module]:
    """Build the activation a config names.

    Args:
        act_cfg (dict, optional): ``dict(type='ReLU' | 'LeakyReLU' | 'Tanh',
            **kwargs)``, e.g. ``dict(type='LeakyReLU', negative_slope=0.2)``.
            None means no activation.

    Returns:
        nn.Module or None: The layer, or None.

    Raises:
        ValueError: If the type is unknown.
    """
    if act_cfg is None:
        return None
    act_type = act_cfg.get('type')
    if act_type not in ACTIVATION_LAYERS:
        raise ValueError(
            f'act_cfg type must be one of {sorted(ACTIVATION_LAYERS)}, '
            f'but got {act_type!r}'
        )
    kwargs = {key: value for key, value in act_cfg.items() if key != 'type'}
    return ACTIVATION_LAYERS[act_type](**kwargs)
