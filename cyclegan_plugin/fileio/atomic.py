"""Write a checkpoint so that readers see the old file or the new one, never half."""

import os
import tempfile
from pathlib import Path
from typing import Any, Union

import torch

__all__ = ['save_atomic']


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
    # Same folder, so os.replace stays on one file system and is atomic.
    fd, tmp_name = tempfile.mkstemp(prefix=f'.{path.name}.', dir=path.parent)
    try:
        with os.fdopen(fd, 'wb') as file:
            torch.save(obj, file)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path
