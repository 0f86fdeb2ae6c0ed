"""Building blocks, weight init and weight loading shared by the networks."""

from .base_network import BaseNetwork
from .checkpoint import (
    check_state_dict,
    load_pretrained,
    load_weights_file,
    trust_checkpoints,
)
from .conv_norm_act import ConvNormAct
from .fused_instance_norm import FusedInstanceNorm2d
from .init_weights import INIT_FUNCS, init_weights
from .layers import (
    ACTIVATION_LAYERS,
    CONV_LAYERS,
    NORM_LAYERS,
    build_activation_layer,
    build_conv_layer,
    build_norm_layer,
    conv_bias_for,
)
from .thin_conv2d import ThinConv2d
from .upsample import UPSAMPLE_BUILDERS, build_upsample_block
from .weights_only_pretrained_init import WeightsOnlyPretrainedInit
from .winograd_conv2d import WinogradConv2d

__all__ = [
    'ACTIVATION_LAYERS',
    'BaseNetwork',
    'CONV_LAYERS',
    'ConvNormAct',
    'FusedInstanceNorm2d',
    'INIT_FUNCS',
    'NORM_LAYERS',
    'UPSAMPLE_BUILDERS',
    'build_activation_layer',
    'build_conv_layer',
    'build_norm_layer',
    'build_upsample_block',
    'check_state_dict',
    'conv_bias_for',
    'init_weights',
    'load_pretrained',
    'load_weights_file',
    'ThinConv2d',
    'trust_checkpoints',
    'WeightsOnlyPretrainedInit',
    'WinogradConv2d',
]
