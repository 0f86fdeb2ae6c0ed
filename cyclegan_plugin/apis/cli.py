"""The command-line wrapper of every ``tools/*.py`` script.

A failure the user can fix (a wrong path, key or value, a full disk, a corrupt
image, too little memory) ends the script with one line ``error: <message>``
on stderr and exit code 2; anything else is a bug and keeps its traceback.
``--debug`` on any tool's command line, or ``CYCLEGAN_DEBUG=1`` in the
environment, shows the traceback of every failure.

A script ends with::

    if __name__ == '__main__':
        sys.exit(run_cli(main))
"""

import errno
import inspect
import io
import os
import os.path as osp
import re
import sys
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional, Sequence

import torch

__all__ = ['DEBUG_ENV', 'DEBUG_FLAG', 'error_message', 'one_line', 'run_cli']

DEBUG_FLAG = '--debug'
DEBUG_ENV = 'CYCLEGAN_DEBUG'
EXIT_CODE = 2

_PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Code whose exceptions are deliberate messages: the package and its scripts.
_OWN_DIRS = (_PACKAGE_DIR, osp.join(osp.dirname(_PACKAGE_DIR), 'tools'))

_DEBUG_HELP = (
    f'\n{DEBUG_FLAG} (any tool): show the traceback of an error instead of one '
    f'line (or set {DEBUG_ENV}=1).'
)

_ELSEWHERE = 'write elsewhere (e.g. another --work-dir or --out)'
# What to do about the operating system's refusals, by errno.
_ERRNO_ADVICE = {
    errno.ENOSPC: f'free space on that disk, or {_ELSEWHERE}',
    errno.EDQUOT: f'free space within your disk quota, or {_ELSEWHERE}',
    errno.EACCES: f'check its permissions, or {_ELSEWHERE}',
    errno.EPERM: f'check its permissions, or {_ELSEWHERE}',
    errno.EROFS: f'that file system is read-only: {_ELSEWHERE}',
    errno.ENOTDIR: 'a part of that path is a file, not a folder: choose another path',
    errno.EISDIR: 'that is a folder: give a file',
    errno.EEXIST: 'something of that name is in the way: remove it or choose '
    'another path',
}

# PyTorch's DataLoader re-raises a worker's exception with the worker's
# traceback as its message.
_WORKER_PREFIX = re.compile(r'Caught \w+ in DataLoader worker process \d+\.\s*\n')
_WORKER_FRAME = re.compile(r'^  File "(.+)", line \d+', re.MULTILINE)
_QUALIFIED_NAME = re.compile(r'^[A-Za-z_][\w.]*: ')
# Longer messages keep their first line and their last (the advice).
_MAX_LINES = 3


def one_line(message: str) -> str:
    """Fold a (possibly multi-line) error message into one line.

    A message re-raised from a DataLoader worker becomes the worker's own
    message; a message of more than three lines keeps its first line and its
    last, where the advice usually is.

    Args:
        message (str): The message.

    Returns:
        str: The message on one line.
    """
    if _WORKER_PREFIX.match(message):
        lines = message.rstrip().splitlines()
        # The worker's exception follows the traceback's last indented line.
        indented = [i for i, line in enumerate(lines) if line[:1].isspace()]
        if indented:
            worker_error = '\n'.join(lines[indented[-1] + 1 :])
            message = _QUALIFIED_NAME.sub('', worker_error)
    lines = [' '.join(line.split()) for line in message.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > _MAX_LINES:
        lines = [lines[0], '...', lines[-1]]
    return ' '.join(lines)


def _raised_by_own_code(error: BaseException) -> bool:
    """Whether the innermost frame of the error's traceback is ours.

    For an error re-raised from a DataLoader worker, the innermost frame of
    the worker's traceback (in the message) counts.
    """
    worker_frames = _WORKER_FRAME.findall(str(error))
    if _WORKER_PREFIX.match(str(error)) and worker_frames:
        path = worker_frames[-1]
    else:
        tb = error.__traceback__
        if tb is None:
            return False
        while tb.tb_next is not None:
            tb = tb.tb_next
        path = tb.tb_frame.f_code.co_filename
    path = osp.abspath(path)
    return any(path.startswith(own + os.sep) for own in _OWN_DIRS)


def _file_in_traceback(error: BaseException) -> Optional[str]:
    """The name of the innermost open file object in the traceback's frames.

    A failed ``write()`` (e.g. a full disk) raises an OSError without a file
    name; the file object it wrote to is still a local of the frame.
    """
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            if isinstance(value, io.IOBase) and isinstance(
                getattr(value, 'name', None), str
            ):
                return value.name
    return None


def _os_error_message(error: OSError) -> str:
    """An OSError as one line; the system's own errors get path and advice."""
    if error.errno is None or error.strerror != os.strerror(error.errno):
        return one_line(str(error))  # a message of ours (or a library's)
    paths = [p for p in (error.filename, error.filename2) if p is not None]
    if not paths:
        paths = [p for p in (_file_in_traceback(error),) if p is not None]
    text = error.strerror + ''.join(f': {os.fsdecode(p)!r}' for p in paths)
    advice = _ERRNO_ADVICE.get(error.errno)
    return f'{text}; {advice}.' if advice else f'{text}.'


# What CPU allocators (PyTorch's, glibc's) and CUDA say when memory runs out.
_OUT_OF_MEMORY_SIGNS = (
    'out of memory',
    'not enough memory',
    "can't allocate memory",
    'DefaultCPUAllocator',
)


def is_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` says that memory (CPU or GPU) ran out.

    Args:
        error (BaseException): A caught exception.

    Returns:
        bool: True for ``MemoryError``, ``torch.cuda.OutOfMemoryError`` (the
        name every supported torch has) and a ``RuntimeError`` from an
        allocator that could not allocate.
    """
    if isinstance(error, (MemoryError, torch.cuda.OutOfMemoryError)):
        return True
    text = str(error)
    return isinstance(error, RuntimeError) and any(
        sign in text for sign in _OUT_OF_MEMORY_SIGNS
    )


def _is_cuda_missing(error: BaseException) -> bool:
    text = str(error)
    return isinstance(error, (AssertionError, RuntimeError)) and any(
        sign in text
        for sign in (
            'Torch not compiled with CUDA enabled',
            'Found no NVIDIA driver',
            'No CUDA GPUs are available',
        )
    )


def error_message(error: BaseException) -> Optional[str]:
    """The one-line message of an expected failure, or None for a bug.

    Expected are: every :class:`OSError` (missing, unreadable or unwritable
    files, full disks, corrupt images); :class:`ValueError` and
    :class:`KeyError` (wrong values and keys); :class:`RuntimeError` raised by
    the package's own code (e.g. an unreadable checkpoint); running out of
    memory; and asking for CUDA where there is none.

    Args:
        error (BaseException): The exception.

    Returns:
        str | None: The message on one line, or None if the error is not an
        expected failure.
    """
    if is_out_of_memory(error):
        first = one_line(str(error).split('\n', 1)[0]) or type(error).__name__
        return (
            f'out of memory ({first}); use a smaller batch size or image size '
            '(e.g. --cfg-options train_dataloader.batch_size=1), or close other '
            'programs.'
        )
    if _is_cuda_missing(error):
        return (
            f'CUDA is not available here ({one_line(str(error))}); run on the '
            'CPU (e.g. --device cpu).'
        )
    if isinstance(error, OSError):
        return _os_error_message(error)
    if isinstance(error, KeyError):
        # str(KeyError) quotes its message; show it as written.
        return one_line(str(error.args[0]) if error.args else 'KeyError')
    if isinstance(error, ValueError) or (
        isinstance(error, RuntimeError) and _raised_by_own_code(error)
    ):
        return one_line(str(error)) or type(error).__name__
    return None


def _show_one_line(message, category, filename, lineno, file=None, line=None):
    print(f'warning: {one_line(str(message))}', file=file or sys.stderr)


@contextmanager
def _short_warnings(enabled: bool) -> Iterator[None]:
    """Show warnings as ``warning: <message>`` lines while the tool runs."""
    saved = warnings.showwarning
    if enabled:
        warnings.showwarning = _show_one_line
    try:
        yield
    finally:
        warnings.showwarning = saved


@contextmanager
def _as_sys_argv(argv: List[str]) -> Iterator[None]:
    saved = sys.argv
    sys.argv = [saved[0] if saved else 'tool', *argv]
    try:
        yield
    finally:
        sys.argv = saved


def run_cli(main: Callable[..., Any], argv: Optional[Sequence[str]] = None) -> int:
    """Run a tool's ``main`` and turn an expected failure into one line.

    Args:
        main (Callable): The tool's entry point: ``main(argv)`` if it takes an
            argument, else ``main()`` reading ``sys.argv`` (set to ``argv``
            while it runs).
        argv (Sequence[str], optional): The arguments; defaults to
            ``sys.argv[1:]``. ``--debug`` is taken out of them.

    Returns:
        int: The exit code: ``main``'s if it returned an int, 0 if it returned
        anything else, 2 after an expected failure (whose message was printed
        to stderr as ``error: <message>``).

    Raises:
        Exception: Any error that is not an expected failure (see
            :func:`error_message`), and every error under ``--debug`` or
            ``CYCLEGAN_DEBUG=1``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in argv or os.environ.get(DEBUG_ENV, '') not in ('', '0')
    argv = [arg for arg in argv if arg != DEBUG_FLAG]
    takes_argv = bool(inspect.signature(main).parameters)
    try:
        with _short_warnings(not debug), _as_sys_argv(argv):
            result = main(argv) if takes_argv else main()
    except SystemExit as exit_:
        if exit_.code in (0, None) and {'-h', '--help'} & set(argv):
            print(_DEBUG_HELP)
        raise
    except Exception as error:
        message = None if debug else error_message(error)
        if message is None:
            raise
        print(f'error: {message}', file=sys.stderr)
        return EXIT_CODE
    return result if type(result) is int else 0
