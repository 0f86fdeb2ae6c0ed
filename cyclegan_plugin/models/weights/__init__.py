"""How network weights are initialised and loaded: the authors' init, strict
pretrained loading, and weights-only reading of checkpoint files.
"""

from .base_network import BaseNetwork
from .init_weights import INIT_FUNCS, init_weights
from .pretrained import check_state_dict, load_pretrained, read_state_dict
from .weights_file import CheckpointError, load_weights_file, trust_checkpoints
from .weights_only_pretrained_init import WeightsOnlyPretrainedInit

__all__ = [
    'BaseNetwork',
    'CheckpointError',
    'INIT_FUNCS',
    'check_state_dict',
    'init_weights',
    'load_pretrained',
    'load_weights_file',
    'read_state_dict',
    'trust_checkpoints',
    'WeightsOnlyPretrainedInit',
]
