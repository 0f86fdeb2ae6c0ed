"""What a translation reads and writes: input files, output names, options.

Everything here runs before the first image is read, so that a bad argument,
an input that matches nothing or two inputs that would share an output name
stop :func:`~cyclegan_plugin.apis.translate_images` before it writes anything.
"""

import glob
import os.path as osp
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple, Union

from cyclegan_plugin.datasets.image_files import (
    IMG_EXTENSIONS,
    list_images,
    unique_files,
)


def check_size(size: Optional[int]) -> Optional[int]:
    """Check ``size`` of :func:`translate_images` (None: keep each image's).

    Raises:
        ValueError: If it is not a positive whole number of pixels.
    """
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(
            f'size must be a positive number of pixels, got {size!r}; leave it '
            "out (or use --keep-size) to keep each image's own size."
        )
    return size


def check_batch_size(batch_size: int) -> int:
    """Check ``batch_size`` of :func:`translate_images`.

    Raises:
        ValueError: If it is not a whole number >= 1.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise ValueError(f'batch_size must be a whole number, got {batch_size!r}.')
    if batch_size < 1:
        raise ValueError(
            f'batch_size must be >= 1, got {batch_size}; use 1 to translate the '
            'images one by one.'
        )
    return batch_size


def check_tiling(tile_size: Optional[int], tile_overlap: int) -> None:
    """Check ``tile_size`` and ``tile_overlap`` of :func:`translate_images`.

    Raises:
        ValueError: If the tile size is not a positive whole number, or the
            overlap is negative or leaves no tile core.
    """
    if tile_size is None:
        return
    for name, value in dict(tile_size=tile_size, tile_overlap=tile_overlap).items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f'{name} must be a whole number >= 0, got {value!r}')
    if tile_size < 1 or tile_size <= 2 * tile_overlap:
        raise ValueError(
            f'tile_size {tile_size} must exceed twice the overlap {tile_overlap}; '
            'use a larger tile size or a smaller --tile-overlap'
        )


def check_ext(ext: str) -> str:
    """Check an output extension: a dot and an image format OpenCV writes.

    Raises:
        ValueError: If it lacks the dot or is not one of ``IMG_EXTENSIONS``.
    """
    allowed = ', '.join(IMG_EXTENSIONS)
    if not isinstance(ext, str) or not ext.startswith('.'):
        hint = f" ('.{ext}')" if isinstance(ext, str) and ext else ''
        raise ValueError(f'ext {ext!r} must start with a dot{hint}; one of {allowed}.')
    if ext.lower() not in IMG_EXTENSIONS:
        raise ValueError(
            f'ext {ext!r} is not an image format written here; use one of {allowed}.'
        )
    return ext


class Source(NamedTuple):
    """An input file, the folder its output name is relative to, if any."""

    path: str
    root: Optional[str]


def _glob_base(pattern: str) -> str:
    """The leading folders of a glob pattern that hold no wildcard."""
    parts = pattern.split(osp.sep)
    static = []
    for part in parts[:-1]:
        if glob.has_magic(part):
            break
        static.append(part)
    if not static:
        return '.'
    return osp.sep.join(static) or osp.sep


def collect_sources(
    inputs: Union[str, Iterable[str]],
) -> Tuple[List[Source], List[str], List[str]]:
    """The input image files with their naming roots, and the input folders.

    Returns the sources, the folders read recursively (folder inputs and
    ``**`` globs: an output inside one would be read as an input next time)
    and the folders of the other globs (only the folder itself is read).
    """
    patterns = [inputs] if isinstance(inputs, str) else list(inputs)
    if not patterns:
        raise FileNotFoundError(
            'No input given: give an image file, a folder or a glob.'
        )
    sources: List[Source] = []
    input_dirs: List[str] = []
    flat_dirs: List[str] = []
    for pattern in patterns:
        if osp.isdir(pattern):
            sources += [Source(f, pattern) for f in list_images(pattern)]
            input_dirs.append(pattern)
            continue
        if osp.isfile(pattern):
            if not pattern.lower().endswith(IMG_EXTENSIONS):
                raise ValueError(
                    f'Input {pattern!r} is not an image file by its extension; '
                    f'give files ending in one of {", ".join(IMG_EXTENSIONS)}.'
                )
            sources.append(Source(pattern, None))
            continue
        found = sorted(
            f
            for f in glob.glob(pattern, recursive=True)
            if f.lower().endswith(IMG_EXTENSIONS) and not osp.isdir(f)
        )
        if not found:
            raise FileNotFoundError(
                f'No image file ({", ".join(IMG_EXTENSIONS)}) matches {pattern!r}: '
                'give a file, a folder or a quoted glob such as "photos/*.jpg".'
            )
        base = _glob_base(pattern)
        sources += [Source(f, base) for f in found]
        if '**' in pattern:
            input_dirs.append(base)
        else:  # it does not read the sub-folders of its folder
            flat_dirs.append(base)
    by_path: Dict[str, Source] = {}
    for source in sources:
        by_path.setdefault(source.path, source)
    kept = unique_files(sorted(by_path))
    return [by_path[p] for p in kept], input_dirs, flat_dirs


def collect_images(inputs: Union[str, Iterable[str]]) -> List[str]:
    """Expand files, folders (recursively) and globs into sorted image files.

    Folders are listed by :func:`~cyclegan_plugin.datasets.list_images`
    (hidden files skipped, symlink loops not followed); every real file is
    kept once.

    Args:
        inputs (str | Iterable[str]): A file, folder or glob, or several.

    Returns:
        list[str]: The image files, sorted.

    Raises:
        FileNotFoundError: If an input matches no image file.
        ValueError: If a file given by name has no image extension.
    """
    return [s.path for s in collect_sources(inputs)[0]]


def output_path(source: Source, out_dir: str, ext: str) -> str:
    rel = osp.relpath(source.path, source.root) if source.root else None
    if rel is None or rel.startswith(osp.pardir + osp.sep):
        rel = osp.basename(source.path)
    return osp.join(out_dir, osp.splitext(rel)[0] + ext)


def check_distinct(sources: List[Source], targets: List[str]) -> None:
    """Refuse two inputs that would be written to the same output file."""
    first: Dict[str, str] = {}
    for source, target in zip(sources, targets):
        key = osp.normcase(osp.abspath(target))
        if key in first:
            raise ValueError(
                f'{first[key]!r} and {source.path!r} would both be written to '
                f'{target!r} (outputs are named after their input, extension '
                'replaced); rename one, give a folder that holds both (its '
                'sub-folders are kept), or translate them into different '
                'output folders.'
            )
        first[key] = source.path
