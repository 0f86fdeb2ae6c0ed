"""What every format's conversion does to state_dicts: rename, compare, complain."""

from collections import OrderedDict
from typing import Dict, Mapping, Type

import torch
from torch import Tensor, nn

__all__ = ['NO_NETWORK_MESSAGE', 'StateDict', 'expected_state_dict', 'rename_modules']

StateDict = Dict[str, Tensor]

# When a plugin checkpoint holds none of the four networks.
NO_NETWORK_MESSAGE = (
    'the checkpoint has no key under generators.A/B or discriminators.A/B; '
    'is it a CycleGAN plugin checkpoint?'
)


def expected_state_dict(network: Type[nn.Module], cfg: dict) -> StateDict:
    """The keys and shapes of our ``network`` built from ``cfg``.

    Args:
        network (type): Our network class, e.g. ``ResnetGenerator``.
        cfg (dict): Its config; ``type`` is ignored.

    Returns:
        dict[str, Tensor]: Its state_dict, on the meta device (no memory, no
        initialisation): only the keys and shapes are meant to be read.
    """
    args = {key: value for key, value in cfg.items() if key != 'type'}
    with torch.device('meta'):
        return network(**args, init_cfg=None).state_dict()


def rename_modules(state: Mapping[str, Tensor], paths: Mapping[str, str]) -> StateDict:
    """Rename each key's module path (all but the last part) through ``paths``.

    Args:
        state (Mapping[str, Tensor]): A state_dict.
        paths (Mapping[str, str]): Old module path → new, for every module of
            ``state``.

    Returns:
        dict[str, Tensor]: The same tensors, in the same order, under the new
        keys.
    """
    renamed = OrderedDict()
    for key, value in state.items():
        path, param = key.rsplit('.', 1)
        renamed[f'{paths[path]}.{param}'] = value
    return renamed
