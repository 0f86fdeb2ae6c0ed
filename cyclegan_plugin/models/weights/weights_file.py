"""Safe reading of weights files: weights only, unless trusted; damage named."""

import _compat_pickle
import io
import pickle
import pickletools
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Callable, Dict, Iterator, List, Optional, Set, Union

import torch

__all__ = ['CheckpointError', 'load_weights_file', 'trust_checkpoints']

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
