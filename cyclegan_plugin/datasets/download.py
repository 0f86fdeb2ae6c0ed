"""Download the authors' CycleGAN data sets into the ``trainA/ ... testB/`` layout."""

import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

from .image_files import list_images

__all__ = ['DATASET_LAYOUTS', 'URL_TEMPLATE', 'DownloadError', 'download_dataset']

URL_TEMPLATE = 'http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/{name}.zip'

_UNPAIRED = ('trainA', 'trainB', 'testA', 'testB')
# The folders each archive must provide (None: any images, e.g. a test album).
DATASET_LAYOUTS: Dict[str, Optional[Tuple[str, ...]]] = {
    'apple2orange': _UNPAIRED,
    'summer2winter_yosemite': _UNPAIRED,
    'horse2zebra': _UNPAIRED,
    'monet2photo': _UNPAIRED,
    'cezanne2photo': _UNPAIRED,
    'ukiyoe2photo': _UNPAIRED,
    'vangogh2photo': _UNPAIRED,
    'maps': _UNPAIRED,
    'cityscapes': _UNPAIRED,
    'facades': _UNPAIRED,
    'iphone2dslr_flower': _UNPAIRED,
    'ae_photos': None,
}

_CITYSCAPES_HELP = (
    'cityscapes cannot be downloaded automatically: its licence requires you to '
    'register at https://www.cityscapes-dataset.com and download '
    'gtFine_trainvaltest.zip and leftImg8bit_trainvaltest.zip yourself, then '
    'build the layout ROOT/cityscapes/trainA/ (photos) trainB/ (label colour maps) '
    "testA/ testB/, e.g. with the authors' datasets/prepare_cityscapes_dataset.py."
)


class DownloadError(RuntimeError):
    """A data set could not be downloaded or unpacked; the message says why."""


def _manual_help(name: str, url: str, dest: Path) -> str:
    layout = DATASET_LAYOUTS[name]
    folders = ' '.join(f'{f}/' for f in layout) if layout else 'the image files'
    return (
        f'To install it by hand, download {url} on a machine with internet access '
        f'and unzip it so that {dest}/ holds {folders}. Any unpaired data works in '
        'the layout ROOT/trainA/ ROOT/trainB/ ROOT/testA/ ROOT/testB/. To try the '
        'plugin without data, use configs/cyclegan_demo.py (generated images).'
    )


def _fetch(url: str, dest: Path, timeout: float) -> None:
    """Stream ``url`` into the file ``dest``."""
    with urllib.request.urlopen(url, timeout=timeout) as response, open(
        dest, 'wb'
    ) as out:
        shutil.copyfileobj(response, out, length=1 << 20)


def _extract(archive: Path, into: Path) -> None:
    """Unzip, refusing members that would land outside ``into``."""
    with zipfile.ZipFile(archive) as zf:
        for member in zf.namelist():
            target = (into / member).resolve()
            if into.resolve() not in target.parents and target != into.resolve():
                raise DownloadError(f'{archive} holds an unsafe path {member!r}')
        zf.extractall(into)


def _find_dataset_dir(extracted: Path, name: str) -> Path:
    """The archive's top folder (``NAME/``), or the extraction root itself."""
    nested = extracted / name
    if nested.is_dir():
        return nested
    entries = [p for p in extracted.iterdir() if not p.name.startswith('.')]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return extracted


def _check_layout(folder: Path, name: str, url: str) -> None:
    layout = DATASET_LAYOUTS[name]
    try:
        if layout is None:
            list_images(str(folder))
        for sub in layout or ():
            list_images(str(folder / sub))
    except FileNotFoundError as err:
        raise DownloadError(
            f'The archive from {url} does not have the expected layout: {err}'
        ) from err


def download_dataset(
    name: str,
    root: Union[str, Path] = 'data',
    timeout: float = 10.0,
    url_template: Optional[str] = None,
) -> Path:
    """Download ``NAME.zip`` and unzip it to ``root/NAME``.

    Everything is written under temporary names inside ``root`` and moved into
    place only after the layout check passes, so a failure (no internet, an
    interrupted transfer, a bad archive) leaves no partial folder behind.

    Args:
        name (str): One of ``DATASET_LAYOUTS`` (the authors' list).
        root (str | Path): Folder that receives ``NAME/``. Defaults to ``'data'``.
        timeout (float): Seconds to wait for the server. Defaults to 10.
        url_template (str, optional): ``str.format`` pattern with ``{name}``.
            Defaults to None (``URL_TEMPLATE``, the authors' server).

    Returns:
        Path: ``root/NAME``.

    Raises:
        ValueError: For an unknown name.
        FileExistsError: If ``root/NAME`` already exists.
        DownloadError: If the download, the unzip or the layout check fails;
            the message says how to get the data by hand.
    """
    if name not in DATASET_LAYOUTS:
        raise ValueError(
            f'Unknown data set {name!r}; choose one of {", ".join(DATASET_LAYOUTS)}'
        )
    if name == 'cityscapes':
        raise DownloadError(_CITYSCAPES_HELP)
    url = (url_template or URL_TEMPLATE).format(name=name)
    root = Path(root)
    dest = root / name
    if dest.exists():
        raise FileExistsError(f'{dest} already exists; delete it to download again')
    created_root = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f'.{name}.download-', dir=root))
    try:
        archive = work / f'{name}.zip'
        try:
            _fetch(url, archive, timeout)
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise DownloadError(
                f'Could not download {url}: {err}. ' + _manual_help(name, url, dest)
            ) from err
        extracted = work / 'extracted'
        try:
            _extract(archive, extracted)
        except zipfile.BadZipFile as err:
            raise DownloadError(
                f'{url} is not a valid zip file ({err}). '
                + _manual_help(name, url, dest)
            ) from err
        found = _find_dataset_dir(extracted, name)
        _check_layout(found, name, url)
        os.rename(found, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if created_root and not any(root.iterdir()):
            root.rmdir()
    return dest
