"""The layers and blocks the networks are built from."""

from .activation_checkpointing import sequential_forward
from .blur_downsample import BlurDownsample, binomial_filter
from .blur_upsample import BlurUpsample
from .builders import build_activation_layer, build_norm_layer, conv_bias_for
from .conv_norm_act import ConvNormAct
from .upsample import build_upsample_block

__all__ = [
    'BlurDownsample',
    'BlurUpsample',
    'binomial_filter',
    'ConvNormAct',
    'build_activation_layer',
    'build_norm_layer',
    'build_upsample_block',
    'conv_bias_for',
    'sequential_forward',
]
