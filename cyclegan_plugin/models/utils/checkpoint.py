"""Safe, strict loading of weights: never a partial or silent load."""

import pickle
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Union

import torch
from torch import Tensor, nn

__all__ = [
    'check_state_dict',
    'load_pretrained',
    'load_weights_file',
    'trust_checkpoints',
]

_MAX_LISTED = 20


_TRUSTED: ContextVar[bool] = ContextVar('cyclegan_plugin_trusted', default=False)


@contextmanager
def trust_checkpoints() -> Iterator[None]:
    """Within this block, :func:`load_weights_file` unpickles everything.

    For ``--trust-checkpoint``: only for files from a source you trust, since
    unpickling can run code stored in the file.
    """
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def load_weights_file(
    path: Union[str, Path],
    map_location: Union[str, torch.device] = 'cpu',
    trust: Optional[bool] = None,
) -> dict:
    """Read a checkpoint with ``torch.load(..., weights_only=True)``.

    Args:
        path (str | Path): The file.
        map_location (str | torch.device): Where tensors go. Defaults to 'cpu'.
        trust (bool, optional): Unpickle arbitrary objects (only for files
            from a source you trust). None follows :func:`trust_checkpoints`.
            Defaults to None.

    Returns:
        dict: The file's content (a state_dict or ``{'meta', 'state_dict', ...}``).

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it holds Python objects other than tensors and plain
            containers (weights-only loading refuses them), or is not a dict.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint file not found: {path}')
    trust = _TRUSTED.get() if trust is None else trust
    try:
        content = torch.load(path, map_location=map_location, weights_only=not trust)
    except pickle.UnpicklingError as error:
        raise ValueError(
            f'{path} could not be read as weights only ({_reason(error)}): it '
            'holds Python objects besides tensors, and unpickling them can run '
            'code stored in the file. If the file comes from a source you '
            'trust, pass --trust-checkpoint. (Checkpoints written by this '
            "plugin's RobustRunner load without it.)"
        ) from error
    if not isinstance(content, dict):
        raise ValueError(
            f'{path} holds a {type(content).__name__}, not a dict of weights'
        )
    return content


def _reason(error: Exception) -> str:
    # torch's message is many lines of advice; keep the line naming the culprit.
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    culprit = [line for line in lines if 'WeightsUnpickler error' in line]
    return (culprit or lines or [type(error).__name__])[0]


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
    content = load_weights_file(checkpoint, map_location)
    state_dict: Dict[str, Tensor] = content.get('state_dict', content)
    source = f'checkpoint {checkpoint}'
    if prefix:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
        state_dict = {
            key[len(prefix) :]: value
            for key, value in state_dict.items()
            if key.startswith(prefix)
        }
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
