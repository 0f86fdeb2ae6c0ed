"""Finding image files, and the errors that say how to get data."""

import os
import warnings
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .holdout_split import HoldoutSplit

__all__ = ['IMG_EXTENSIONS', 'check_data_root', 'list_images', 'unique_files']

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


def _file_id(path: str) -> Tuple[int, int]:
    """The (device, inode) of what ``path`` leads to, symlinks followed."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def _examples(items: Sequence[str], limit: int = 3) -> str:
    shown = ', '.join(items[:limit])
    return shown + (f' and {len(items) - limit} more' if len(items) > limit else '')


def unique_files(paths: Iterable[str]) -> List[str]:
    """``paths`` with each real file kept once, at its first path.

    Two paths are the same file when they lead to the same (device, inode),
    e.g. a symlink beside its target or a folder reached twice through links.
    The extra paths, and paths that lead nowhere (broken links), are dropped
    with a warning naming them.

    Args:
        paths (Iterable[str]): Paths of files, in the order to keep.

    Returns:
        list[str]: The first path of each distinct file, in the given order.
    """
    kept: List[str] = []
    first: Dict[Tuple[int, int], str] = {}
    same: List[str] = []
    broken: List[str] = []
    for path in paths:
        try:
            key = _file_id(path)
        except OSError:
            broken.append(repr(path))
            continue
        if key in first:
            same.append(f'{path!r} (= {first[key]!r})')
            continue
        first[key] = path
        kept.append(path)
    if broken:
        warnings.warn(
            f'Skipping {len(broken)} image path(s) that lead to no file (broken '
            f'links?): {_examples(broken)}.',
            stacklevel=2,
        )
    if same:
        warnings.warn(
            f'{len(same)} image path(s) lead to a file already listed (symlinks '
            f'or hard links) and are listed once: {_examples(same)}.',
            stacklevel=2,
        )
    return kept


def list_images(
    folder: str,
    max_size: Optional[int] = None,
    allow_empty: bool = False,
    holdout: Optional[HoldoutSplit] = None,
) -> List[str]:
    """The image files under ``folder`` (recursively), sorted, each file once.

    Files count as images by their extension (case-insensitive, see
    ``IMG_EXTENSIONS``); other files, hidden files and hidden folders (names
    starting with ``'.'``, e.g. macOS ``._x.jpg``) are ignored. Whether an image
    decodes is checked when it is loaded.

    Symlinks are followed, but each folder is walked once: a link back to a
    folder already being listed (a loop) or to one reached before is not
    followed, with a warning naming the link. A file reachable by several
    paths is listed once, at its first path in sorted order (see
    :func:`unique_files`). Unreadable sub-folders are skipped with a warning.

    Args:
        folder (str): The folder to scan.
        max_size (int, optional): Keep only the first ``max_size`` files, as the
            authors' ``--max_dataset_size``. Defaults to None (all).
        allow_empty (bool): Return an empty list for a folder without images
            (the caller reports it) instead of raising. Defaults to False.
        holdout (HoldoutSplit, optional): Keep only its part of the files
            (before ``max_size`` applies). Defaults to None (all).

    Returns:
        list[str]: Paths, sorted by their path relative to ``folder``.

    Raises:
        FileNotFoundError: If the folder is missing, or holds no image and
            ``allow_empty`` is False.
        ValueError: If ``max_size`` is not positive, or ``holdout`` leaves no
            file.
    """
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f'Image folder {folder!r} does not exist. Expected one folder of images '
            'per domain, e.g. ROOT/trainA/ and ROOT/trainB/.'
        )
    if max_size is not None and max_size <= 0:
        raise ValueError(f'max_dataset_size must be positive, got {max_size}')

    def unreadable(error: OSError) -> None:
        warnings.warn(
            f'Cannot read folder {error.filename!r} ({error.strerror}); its images '
            'are skipped.',
            stacklevel=3,
        )

    walked = {_file_id(folder): folder}
    paths = []
    for dirpath, dirnames, filenames in os.walk(
        folder, followlinks=True, onerror=unreadable
    ):
        # Pruning here, before os.walk descends, is what stops a symlink loop.
        keep = []
        for name in sorted(dirnames):
            if name.startswith('.'):
                continue
            sub = os.path.join(dirpath, name)
            try:
                key = _file_id(sub)
            except OSError as error:
                unreadable(error)
                continue
            if key in walked:
                what = 'Symlink' if os.path.islink(sub) else 'Folder'
                warnings.warn(
                    f'{what} {sub!r} leads to {walked[key]!r}, which is already '
                    'listed (a loop or a second link to it): not followed.',
                    stacklevel=2,
                )
                continue
            walked[key] = sub
            keep.append(name)
        dirnames[:] = keep
        paths.extend(
            os.path.join(dirpath, name)
            for name in filenames
            if not name.startswith('.') and name.lower().endswith(IMG_EXTENSIONS)
        )
    paths.sort(key=lambda p: os.path.relpath(p, folder))
    paths = unique_files(paths)
    if not paths and not allow_empty:
        raise FileNotFoundError(
            f'Image folder {folder!r} holds no image files (extensions: '
            f'{", ".join(IMG_EXTENSIONS)}).'
        )
    if holdout is not None and paths:
        paths = holdout.select(paths, folder)
    if max_size is not None:
        paths = paths[:max_size]
    return paths
