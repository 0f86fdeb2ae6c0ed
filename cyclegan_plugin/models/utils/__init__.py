"""Building blocks, weight init and weight loading shared by the networks."""

from .activation_checkpointing import sequential_forward
from .base_network import BaseNetwork
from .blur_downsample import BlurDownsample, binomial_filter
from .blur_upsample import BlurUpsample
from .checkpoint import (
    check_state_dict,
    load_pretrained,
    load_weights_file,
    trust_checkpoints,
)
from .conv_norm_act import ConvNormAct
from .init_weights import INIT_FUNCS, init_weights
from .layers import build_activation_layer, build_norm_layer, conv_bias_for
from .upsample import build_upsample_block
from .weights_only_pretrained_init import WeightsOnlyPretrainedInit

__all__ = [
    'BaseNetwork',
    'BlurDownsample',
    'BlurUpsample',
    'binomial_filter',
    'ConvNormAct',
    'INIT_FUNCS',
    'build_activation_layer',
    'build_norm_layer',
    'build_upsample_block',
    'check_state_dict',
    'conv_bias_for',
    'init_weights',
    'load_pretrained',
    'load_weights_file',
    'sequential_forward',
    'trust_checkpoints',
    'WeightsOnlyPretrainedInit',
]
