"""Finding image files, and the errors that say how to get data."""

import os
from typing import List, Optional

__all__ = ['IMG_EXTENSIONS', 'check_data_root', 'list_images']

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')

HOW_TO_GET_DATA = (
    'Download a CycleGAN data set with `python tools/download_dataset.py NAME '
    '--root data` (NAME e.g. horse2zebra; needs internet), or put your own images '
    'in the layout ROOT/trainA/ ROOT/trainB/ ROOT/testA/ ROOT/testB/. To try the '
    'plugin without any data, run configs/cyclegan_demo.py, which trains on '
    'generated images.'
)


def check_data_root(data_root: str) -> None:
    """Raise a helpful error if ``data_root`` is not an existing folder.

    Args:
        data_root (str): The dataset's root folder.

    Raises:
        FileNotFoundError: If it does not exist or is not a folder; the message
            says how to obtain data.
    """
    if not data_root or not os.path.isdir(data_root):
        raise FileNotFoundError(
            f'Data root {data_root!r} does not exist (or is not a folder). '
            + HOW_TO_GET_DATA
        )


def list_images(folder: str, max_size: Optional[int] = None) -> List[str]:
    """The image files under ``folder`` (recursively), sorted.

    Files count as images by their extension (case-insensitive, see
    ``IMG_EXTENSIONS``); other files, hidden files and hidden folders (names
    starting with ``'.'``, e.g. macOS ``._x.jpg``) are ignored. Whether an image
    decodes is checked when it is loaded.

    Args:
        folder (str): The folder to scan.
        max_size (int, optional): Keep only the first ``max_size`` files, as the
            authors' ``--max_dataset_size``. Defaults to None (all).

    Returns:
        list[str]: Paths, sorted by their path relative to ``folder``.

    Raises:
        FileNotFoundError: If the folder is missing or holds no image.
    """
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f'Image folder {folder!r} does not exist. Expected one folder of images '
            'per domain, e.g. ROOT/trainA/ and ROOT/trainB/.'
        )
    paths = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith('.')]
        paths.extend(
            os.path.join(dirpath, name)
            for name in filenames
            if not name.startswith('.') and name.lower().endswith(IMG_EXTENSIONS)
        )
    if not paths:
        raise FileNotFoundError(
            f'Image folder {folder!r} holds no image files (extensions: '
            f'{", ".join(IMG_EXTENSIONS)}).'
        )
    paths.sort(key=lambda p: os.path.relpath(p, folder))
    if max_size is not None:
        if max_size <= 0:
            raise ValueError(f'max_dataset_size must be positive, got {max_size}')
        paths = paths[:max_size]
    return paths
