"""Strict loading of weights into a module: never a partial or silent load."""

from pathlib import Path
from typing import Dict, List, Mapping, Optional, Union

import torch
from torch import Tensor, nn

from .weights_file import load_weights_file

__all__ = ['check_state_dict', 'load_pretrained', 'read_state_dict']

_MAX_LISTED = 20


def _shape(value: object) -> object:
    return tuple(value.shape) if isinstance(value, Tensor) else type(value).__name__


def _listed(keys: List[str]) -> str:
    shown = ', '.join(keys[:_MAX_LISTED])
    more = len(keys) - _MAX_LISTED
    return f'{shown}, ... ({more} more)' if more > 0 else shown


def check_state_dict(
    expected: Mapping[str, Tensor],
    state_dict: Mapping[str, Tensor],
    source: str,
    target: str,
) -> None:
    """Check that a state_dict has exactly the expected keys and shapes.

    Args:
        expected (Mapping[str, Tensor]): The state_dict wanted, e.g.
            ``module.state_dict()`` (tensors may live on the 'meta' device:
            only shapes are read).
        state_dict (Mapping[str, Tensor]): The weights to check.
        source (str): Where the weights come from, for the error message.
        target (str): What they should fit, for the error message.

    Raises:
        ValueError: Listing the missing keys, the unexpected keys and the shape
            mismatches, if there are any.
    """
    missing = [key for key in expected if key not in state_dict]
    unexpected = [key for key in state_dict if key not in expected]
    mismatched = [
        f'{key}: {_shape(state_dict[key])} in the file, '
        f'{tuple(expected[key].shape)} expected'
        for key in expected
        if key in state_dict and _shape(state_dict[key]) != tuple(expected[key].shape)
    ]
    if not (missing or unexpected or mismatched):
        return
    problems = [
        f'{title} ({len(items)}): {_listed(items)}'
        for title, items in (
            ('missing keys', missing),
            ('unexpected keys', unexpected),
            ('shape mismatches', mismatched),
        )
        if items
    ]
    raise ValueError(f'{source} does not fit {target}.\n' + '\n'.join(problems))


def read_state_dict(
    checkpoint: Union[str, Path],
    prefix: Optional[str] = None,
    map_location: Union[str, torch.device] = 'cpu',
) -> Dict[str, Tensor]:
    """Read a checkpoint's weights (weights only), optionally those under a prefix.

    Args:
        checkpoint (str | Path): A bare state_dict or ``{'state_dict': ...}``.
        prefix (str, optional): Keep only the keys under this prefix, with the
            prefix removed; a trailing '.' is implied. Defaults to None (all).
        map_location (str | torch.device): Where tensors go. Defaults to 'cpu'.

    Returns:
        dict[str, Tensor]: The weights; empty if no key carries ``prefix``.
    """
    content = load_weights_file(checkpoint, map_location)
    state_dict: Dict[str, Tensor] = content.get('state_dict', content)
    if not prefix:
        return state_dict
    prefix = prefix if prefix.endswith('.') else prefix + '.'
    return {
        key[len(prefix) :]: value
        for key, value in state_dict.items()
        if key.startswith(prefix)
    }


def load_pretrained(
    module: nn.Module,
    checkpoint: Union[str, Path],
    prefix: Optional[str] = None,
    map_location: Union[str, torch.device] = 'cpu',
) -> None:
    """Load a module's weights from a checkpoint, strictly.

    Accepts what MMEngine's ``Pretrained`` init accepts: a bare state_dict or
    ``{'state_dict': ...}``, optionally restricted to the keys under
    ``prefix`` (e.g. ``'generators.A.'`` picks G_A out of a CycleGAN
    checkpoint). Unlike MMEngine, which loads with ``strict=False`` and only
    logs what did not fit, any mismatch raises before a tensor is copied.

    Args:
        module (nn.Module): The module to fill.
        checkpoint (str | Path): Path of the checkpoint file.
        prefix (str, optional): Key prefix of the module inside the checkpoint;
            a trailing '.' is implied. Defaults to None (the whole state_dict).
        map_location (str | torch.device): Where tensors are loaded. Defaults
            to 'cpu'.

    Raises:
        ValueError: If no key carries ``prefix`` or the weights do not fit
            (see :func:`check_state_dict`).
    """
    state_dict = read_state_dict(checkpoint, prefix, map_location)
    source = f'checkpoint {checkpoint}'
    if prefix:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
        if not state_dict:
            raise ValueError(
                f'no key of {checkpoint} starts with prefix {prefix!r}; '
                "a CycleGAN checkpoint's networks are under 'generators.A.', "
                "'generators.B.', 'discriminators.A.' and 'discriminators.B.'"
            )
        source = f'{source} (prefix {prefix!r})'
    if any(key.startswith('model.') for key in state_dict):
        source += (
            " (its keys 'model.N...' are another code base's layout, the "
            "CycleGAN authors' or MMagic's: convert the file first with "
            'tools/convert_checkpoint.py)'
        )
    check_state_dict(module.state_dict(), state_dict, source, type(module).__name__)
    module.load_state_dict(state_dict, strict=True)
