"""Write files so that readers see the old file or the new one, never half.

Every writer here writes a temporary file beside the destination (same folder,
so the rename stays on one file system and is atomic), then moves it onto the
destination with ``os.replace``. A failure, a full disk or Ctrl-C removes the
temporary file and leaves the destination as it was. The temporary name,
``.<name>.tmp-<pid>``, tells which process left one behind after a kill
(:func:`cyclegan_plugin.engine.runner.checkpoint_files.remove_stale_temp_files`
cleans up a dead process's checkpoints).
"""

import os
import os.path as osp
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Union

import cv2
import numpy as np
import torch

__all__ = [
    'atomic_path',
    'save_atomic',
    'temp_name',
    'write_atomic',
    'write_image_atomic',
]

PathLike = Union[str, 'os.PathLike[str]']


def temp_name(filename: str) -> str:
    """The temporary name a file is written under before it is moved in place.

    Args:
        filename (str): The destination's base name, e.g. ``'iter_4.pth'``.

    Returns:
        str: A hidden name with this process's id, ``'.iter_4.pth.tmp-123'``.
    """
    return f'.{filename}.tmp-{os.getpid()}'


def _fsync_file(path: str) -> None:
    with open(path, 'rb') as file:
        os.fsync(file.fileno())


def _fsync_folder(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: PathLike, fsync: bool = False) -> Iterator[str]:
    """A temporary path to write ``path``'s content to; moved onto it on success.

    Args:
        path (str | PathLike): Destination file.
        fsync (bool): Flush the file and its folder to disk, so that the new
            file survives a power cut (checkpoints). Defaults to False.

    Yields:
        str: The temporary file's path, in ``path``'s folder. Whoever writes it
        creates it (and the folder, if missing).

    Raises:
        Exception: Whatever the ``with`` body raises; the temporary file is
            removed and ``path`` is left unchanged.
    """
    path = os.fspath(path)
    folder = osp.dirname(path) or '.'
    tmp = osp.join(folder, temp_name(osp.basename(path)))
    try:
        yield tmp
        if fsync:
            _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        if osp.lexists(tmp):
            os.remove(tmp)
        raise
    if fsync:
        _fsync_folder(folder)


def write_atomic(
    path: PathLike,
    content: Union[bytes, Callable[[IO[bytes]], Any]],
    fsync: bool = False,
) -> None:
    """Write ``path`` atomically.

    Args:
        path (str | PathLike): Destination; its folder is created if missing.
        content (bytes | Callable[[IO[bytes]], Any]): The bytes, or a function
            that writes them to the binary file object it is given (e.g.
            ``lambda f: np.savez(f, ...)``).
        fsync (bool): See :func:`atomic_path`. Defaults to False.
    """
    os.makedirs(osp.dirname(os.fspath(path)) or '.', exist_ok=True)
    with atomic_path(path, fsync) as tmp, open(tmp, 'wb') as file:
        if callable(content):
            content(file)
        else:
            file.write(content)


def save_atomic(obj: Any, path: Union[str, Path]) -> Path:
    """``torch.save`` to a temporary file beside ``path``, fsync, then rename.

    Args:
        obj (Any): What to save (a state_dict or a checkpoint dict).
        path (str | Path): Destination; its folder must exist.

    Returns:
        Path: ``path``.

    Raises:
        FileNotFoundError: If the destination folder does not exist.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f'folder {path.parent} does not exist; create it before saving {path.name}'
        )
    write_atomic(path, lambda file: torch.save(obj, file), fsync=True)
    return path


def write_image_atomic(path: str, rgb: np.ndarray) -> None:
    """Write an RGB uint8 ``(H, W, 3)`` image atomically.

    Args:
        path (str): Destination; its extension picks the format (PNG if it
            has none). Its folder is created if missing.
        rgb (np.ndarray): The image, RGB.

    Raises:
        OSError: If OpenCV cannot encode the image for ``path``'s extension,
            or the file cannot be written (no partial file is left then).
    """
    ext = osp.splitext(path)[1] or '.png'
    ok, buf = cv2.imencode(ext, np.ascontiguousarray(rgb[..., ::-1]))
    if not ok:
        raise OSError(f'Cannot encode an image as {ext!r} for {path!r}')
    write_atomic(path, buf.tobytes())
