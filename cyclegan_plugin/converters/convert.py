"""Checkpoint conversion between the plugin and other code bases' formats.

A format is a pair of functions registered under its name:

- ``TO_PLUGIN[name](sources) -> checkpoint`` reads the format's files, given by
  role (the junyanz format: 'G_A', 'G_B', 'D_A', 'D_B'; a single-file format
  may take 'checkpoint'), and returns ``{'meta': ..., 'state_dict': ...}``;
- ``FROM_PLUGIN[name](checkpoint) -> files`` returns the format's files as
  ``{file name: content}``.

Both may take format-specific keyword options (forwarded by
:func:`convert_to_plugin` / :func:`convert_from_plugin`) and must check
everything before returning, so a bad input never leaves a partial output.
Adding a format means writing those two functions in a new module of this
folder and adding one entry to each dict.
"""

from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Union

from cyclegan_plugin.fileio import check_new_outputs, save_atomic
from cyclegan_plugin.models.weights import load_weights_file

from .junyanz import junyanz_to_plugin, plugin_to_junyanz
from .mmagic import mmagic_to_plugin, plugin_to_mmagic
from .taesungp_cut import cut_to_plugin, plugin_to_cut

__all__ = ['FROM_PLUGIN', 'TO_PLUGIN', 'convert_from_plugin', 'convert_to_plugin']

PathLike = Union[str, Path]

TO_PLUGIN: Dict[str, Callable[..., dict]] = {
    'junyanz': junyanz_to_plugin,
    'mmagic': mmagic_to_plugin,
    'cut': cut_to_plugin,  # takes model=CONFIG
}
FROM_PLUGIN: Dict[str, Callable[..., Dict[str, Any]]] = {
    'junyanz': plugin_to_junyanz,
    'mmagic': plugin_to_mmagic,
    'cut': plugin_to_cut,  # takes model=CONFIG
}


def _check_format(fmt: str, formats: Mapping[str, Callable]) -> None:
    if fmt not in formats:
        raise ValueError(f'unknown checkpoint format {fmt!r}; known: {sorted(formats)}')


def convert_to_plugin(
    fmt: str,
    sources: Mapping[str, PathLike],
    out: PathLike,
    overwrite: bool = False,
    **options: Any,
) -> dict:
    """Convert another format's files into one plugin checkpoint file.

    Args:
        fmt (str): A key of :data:`TO_PLUGIN`, e.g. 'junyanz'.
        sources (Mapping[str, str | Path]): The format's input files by role.
        out (str | Path): The plugin checkpoint to write (atomically).
        overwrite (bool): Replace ``out`` if it exists (never an input).
            Defaults to False.
        **options: Passed to the format's reader.

    Returns:
        dict: The checkpoint's ``meta`` (the detected network configs).

    Raises:
        ValueError: If the format is unknown, the files do not fit it, or
            ``out`` is one of the inputs.
        FileExistsError: If ``out`` exists and ``overwrite`` is False.
    """
    _check_format(fmt, TO_PLUGIN)
    check_new_outputs([out], sources.values(), overwrite)
    checkpoint = TO_PLUGIN[fmt](sources, **options)
    save_atomic(checkpoint, out)
    return checkpoint['meta']


def convert_from_plugin(
    fmt: str,
    checkpoint: PathLike,
    out_dir: PathLike,
    overwrite: bool = False,
    **options: Any,
) -> List[Path]:
    """Convert a plugin checkpoint into another format's files.

    Args:
        fmt (str): A key of :data:`FROM_PLUGIN`, e.g. 'junyanz'.
        checkpoint (str | Path): The plugin checkpoint (read weights-only).
        out_dir (str | Path): Folder for the files; created if missing.
        overwrite (bool): Replace files that exist there (never the input).
            Defaults to False.
        **options: Passed to the format's writer.

    Returns:
        list[Path]: The files written.

    Raises:
        ValueError: If the format is unknown, the checkpoint cannot be
            expressed in it, or an output would be the input; nothing is
            written then.
        FileExistsError: If output files exist and ``overwrite`` is False;
            nothing is written then.
    """
    _check_format(fmt, FROM_PLUGIN)
    files = FROM_PLUGIN[fmt](load_weights_file(checkpoint), **options)
    out_dir = Path(out_dir)
    check_new_outputs([out_dir / name for name in files], [checkpoint], overwrite)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [save_atomic(content, out_dir / name) for name, content in files.items()]
