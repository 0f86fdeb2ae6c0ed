"""Checks on where a tool may write: never onto its inputs, never over old files.

The tools call these before writing anything, so a refused run leaves no
partial output; ``overwrite=True`` (``--overwrite``) allows replacing files
that exist but never an input.
"""

import os
from typing import Iterable, List, Sequence, Union

__all__ = ['check_new_outputs', 'check_outside_inputs']

PathLike = Union[str, 'os.PathLike[str]']


def _real(path: PathLike) -> str:
    return os.path.normcase(os.path.realpath(os.fspath(path)))


def _examples(items: Sequence[str], limit: int = 5) -> str:
    shown = ', '.join(repr(item) for item in items[:limit])
    return shown + (f' and {len(items) - limit} more' if len(items) > limit else '')


def _file_id(path: str):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def check_outside_inputs(
    out_dir: PathLike,
    input_dirs: Iterable[PathLike],
    flat_dirs: Iterable[PathLike] = (),
) -> None:
    """Refuse an output folder that is, or is inside, an input folder.

    Args:
        out_dir (str | PathLike): The output folder (need not exist).
        input_dirs (Iterable[str | PathLike]): Folders the inputs were read
            from, recursively: the output may be neither one nor inside one.
        flat_dirs (Iterable[str | PathLike]): Folders the inputs were read
            from without their sub-folders: the output may not be one.
            Defaults to ().

    Raises:
        ValueError: If ``out_dir`` resolves (symlinks followed) to one of
            those folders or to a folder under one of ``input_dirs``.
    """
    out_real = _real(out_dir)
    folders = [(f, True) for f in input_dirs] + [(f, False) for f in flat_dirs]
    for folder, recursive in folders:
        folder_real = _real(folder)
        if out_real != folder_real and (
            not recursive or os.path.commonpath([out_real, folder_real]) != folder_real
        ):
            continue
        where = 'is' if out_real == folder_real else 'is inside'
        raise ValueError(
            f'Output folder {os.fspath(out_dir)!r} {where} the input folder '
            f'{os.fspath(folder)!r}: the outputs would be mixed with (or replace) '
            'the inputs and be read as inputs next time; choose an output folder '
            'outside it.'
        )


def check_new_outputs(
    targets: Sequence[PathLike],
    inputs: Iterable[PathLike] = (),
    overwrite: bool = False,
) -> None:
    """Refuse to write onto an input, or over existing files unless asked.

    Args:
        targets (Sequence[str | PathLike]): Every file the run will write.
        inputs (Iterable[str | PathLike]): Every file the run reads.
        overwrite (bool): Allow replacing existing files that are not
            inputs. Defaults to False.

    Raises:
        ValueError: If a target is one of ``inputs`` (symlinks and hard links
            followed), whatever ``overwrite`` says, or is an existing folder.
        FileExistsError: If targets exist and ``overwrite`` is False; the
            message says how many and names the first ones.
    """
    targets = [os.fspath(t) for t in targets]
    inputs = [os.fspath(path) for path in inputs]
    by_real = {_real(path): path for path in inputs}
    # (device, inode) also catches hard links, which realpath cannot see.
    by_id = {_file_id(path): path for path in inputs}
    by_id.pop(None, None)
    for target in targets:
        source = by_real.get(_real(target)) or by_id.get(_file_id(target))
        if source is not None:
            raise ValueError(
                f'Output {target!r} is the input {source!r}: writing it would '
                'destroy the input; choose another output name or folder.'
            )
    folders = [t for t in targets if os.path.isdir(t)]
    if folders:
        raise ValueError(
            f'{len(folders)} output file(s) would replace a folder: '
            f'{_examples(folders)}; choose another output name or folder.'
        )
    existing: List[str] = [t for t in targets if os.path.lexists(t)]
    if existing and not overwrite:
        raise FileExistsError(
            f'{len(existing)} of the {len(targets)} output file(s) already exist: '
            f'{_examples(existing)}; pass --overwrite (Python: overwrite=True) to '
            'replace them, or choose another output.'
        )
