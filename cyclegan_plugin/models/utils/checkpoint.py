"""Safe, strict loading of weights: never a partial or silent load."""

import _compat_pickle
import io
import pickle
import pickletools
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Callable, Dict, Iterator, List, Mapping, Optional, Set, Union

import torch
from torch import Tensor, nn

__all__ = [
    'CheckpointError',
    'check_state_dict',
    'load_pretrained',
    'load_weights_file',
    'read_state_dict',
    'trust_checkpoints',
]

_MAX_LISTED = 20
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # torch.serialization.MAGIC_NUMBER


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


class CheckpointError(ValueError, RuntimeError):
    """A checkpoint file that cannot be read, or not without unpickling code.

    A ``ValueError`` (bad input, which the tools report in one line) that is
    also a ``RuntimeError``, the type MMEngine's loaders raise, so callers
    written against either keep catching it.
    """


def load_weights_file(
    path: Union[str, Path],
    map_location: Union[str, torch.device, Callable, None] = 'cpu',
    trust: Optional[bool] = None,
) -> dict:
    """Read a checkpoint with ``torch.load(..., weights_only=True)``.

    ``weights_only`` is passed explicitly, so torch versions whose default is
    full unpickling (before 2.6, or ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``)
    read weights only too. A file that is no torch file at all (empty, other
    bytes, a damaged archive) is refused before torch reads it, even when
    trusted.

    Args:
        path (str | Path): The file.
        map_location (str | torch.device | Callable, optional): Where tensors
            go, as for ``torch.load``. Defaults to 'cpu'.
        trust (bool, optional): Unpickle arbitrary objects (only for files
            from a source you trust). None follows :func:`trust_checkpoints`.
            Defaults to None.

    Returns:
        dict: The file's content (a state_dict or ``{'meta', 'state_dict', ...}``).

    Raises:
        FileNotFoundError: If the file does not exist.
        CheckpointError: In one line naming the file: if it is empty, not a
            torch file, damaged or truncated, not a dict, or (untrusted) holds
            Python objects other than tensors and plain containers.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint file not found: {path}')
    trust = _TRUSTED.get() if trust is None else trust
    kind = _torch_file_kind(path)
    try:
        content = torch.load(path, map_location=map_location, weights_only=not trust)
    except (MemoryError, OSError):
        raise  # the machine's trouble, not the file's
    except Exception as error:  # noqa: BLE001 (each kind is told apart below)
        refused = None
        if not trust and isinstance(error, pickle.UnpicklingError):
            refused = _refused_globals(path, kind)
        if refused is None:
            raise _damaged(path, 'data', _reason(error)) from error
        what = (
            f'it references Python objects besides tensors ({", ".join(refused)})'
            if refused
            else f'weights-only loading refuses its content ({_reason(error)})'
        )
        raise CheckpointError(
            f'{path} could not be read as weights only: {what}, and unpickling '
            'it can run code stored in the file. If the file comes from a source '
            'you trust, pass --trust-checkpoint. (Checkpoints written by this '
            "plugin's RobustRunner load without it.)"
        ) from error
    if not isinstance(content, dict):
        raise CheckpointError(
            f'{path} holds a {type(content).__name__}, not a dict of weights'
        )
    return content


def _damaged(path: Path, part: str, detail: str) -> CheckpointError:
    return CheckpointError(
        f'{path} is not a readable checkpoint: its {part} is damaged ({detail}); '
        'it may be truncated (an interrupted save or copy). Use another '
        'checkpoint, or delete this one.'
    )


def _torch_file_kind(path: Path) -> str:
    """'zip' or 'legacy', the two formats of ``torch.save``; else raise.

    Told from the bytes alone, so that no file that is not a checkpoint gets
    the advice to unpickle it.
    """
    if path.stat().st_size == 0:
        raise CheckpointError(
            f'{path} is empty (0 bytes), not a checkpoint: an interrupted save '
            'or copy leaves such files. Use another checkpoint.'
        )
    with open(path, 'rb') as f:
        head = f.read(64)
    # torch.load itself takes a file for a zip archive by these four bytes.
    if head.startswith(b'PK\x03\x04'):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as error:
            raise _damaged(path, 'zip archive', str(error)) from error
        if not any(_is_data_pkl(name) for name in names):
            raise CheckpointError(
                f'{path} is not a torch file: a zip archive without data.pkl. '
                'Give a checkpoint written by torch.save.'
            )
        return 'zip'
    # A legacy file opens with a pickle of torch's magic number: its bytes
    # (protocols >= 2) or its digits (protocols 0 and 1).
    magic = _LEGACY_MAGIC.to_bytes(10, 'little')
    if magic in head or str(_LEGACY_MAGIC).encode() in head:
        return 'legacy'
    raise CheckpointError(
        f'{path} is not a torch file (neither a zip archive nor a legacy torch '
        f'pickle; it starts with {head[:8]!r}). Give a checkpoint written by '
        'torch.save.'
    )


def _is_data_pkl(name: str) -> bool:
    # torch.save puts the pickled objects at '<archive name>/data.pkl'.
    return name.split('/')[-1] == 'data.pkl'


def _refused_globals(path: Path, kind: str) -> Optional[List[str]]:
    """Globals of the file's pickles that weights-only loading refuses.

    Parses the opcodes without running them. None if the pickles are not
    well formed: then the file is damaged, and unpickling it would not help.
    """
    try:
        if kind == 'zip':
            with zipfile.ZipFile(path) as archive:
                name = next(n for n in archive.namelist() if _is_data_pkl(n))
                names = _pickle_globals(io.BytesIO(archive.read(name)))
        else:
            with open(path, 'rb') as f:
                # Magic number, protocol, system info, the objects, storage keys.
                names = [n for _ in range(5) for n in _pickle_globals(f)]
    except Exception:  # noqa: BLE001 (any parse failure means damaged)
        return None
    allowed = _allowed_globals()
    refused = [n for n in names if n not in allowed and not n.startswith('torch.')]
    return list(dict.fromkeys(refused))


def _pickle_globals(stream: IO[bytes]) -> List[str]:
    """'module.name' of each global one pickle references; raises if malformed."""
    names: List[str] = []
    strings: List[str] = []
    memo: Dict[int, object] = {}
    last: object = None
    for opcode, arg, _ in pickletools.genops(stream):
        op = opcode.name
        if op in ('GLOBAL', 'INST'):
            module, name = str(arg).split(' ', 1)
        elif op == 'STACK_GLOBAL' and len(strings) >= 2:
            module, name = strings[-2:]
        else:
            module = None
        if module is not None:
            # Protocols < 3 name Python 2's modules (__builtin__); unpickling
            # maps them to Python 3's, and so does the message.
            names.append(f'{_compat_pickle.IMPORT_MAPPING.get(module, module)}.{name}')
        if isinstance(arg, str) and ('UNICODE' in op or 'STRING' in op):
            strings.append(str(arg))
            last = arg
        elif op in ('PUT', 'BINPUT', 'LONG_BINPUT'):
            memo[int(arg)] = last
        elif op == 'MEMOIZE':
            memo[len(memo)] = last
        elif op in ('GET', 'BINGET', 'LONG_BINGET'):
            last = memo.get(int(arg))
            if isinstance(last, str):
                strings.append(last)
        else:
            last = None
    return names


def _allowed_globals() -> Set[str]:
    # Private to torch: without it every non-torch global is listed, which
    # only makes the message longer.
    try:
        from torch._weights_only_unpickler import _get_allowed_globals

        return set(_get_allowed_globals())
    except Exception:  # noqa: BLE001
        return set()


def _reason(error: Exception) -> str:
    # torch's message is many lines of advice around the one naming the culprit.
    text = str(error)
    marker = 'WeightsUnpickler error:'
    if marker in text:
        text = text.split(marker, 1)[1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines or [type(error).__name__])[0].split('. Please use')[0]


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
