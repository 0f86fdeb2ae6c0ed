"""Translate images with a trained model (used by tools/translate.py)."""

import itertools
import os.path as osp
import warnings
from typing import Iterable, Iterator, List, Optional, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from cyclegan_plugin.apis.cli import is_out_of_memory
from cyclegan_plugin.apis.partial_translation_error import (
    PartialTranslationError,
    reason_with_path,
)
from cyclegan_plugin.apis.translation_inputs import (
    check_batch_size,
    check_distinct,
    check_ext,
    check_size,
    check_tiling,
    collect_sources,
    output_path,
)
from cyclegan_plugin.datasets.transforms.image_io import imread_rgb
from cyclegan_plugin.deploy import ExportedGenerator, TiledGenerator, size_divisor
from cyclegan_plugin.fileio import (
    check_new_outputs,
    check_outside_inputs,
    write_image_atomic,
)
from cyclegan_plugin.structures import Direction, check_direction


def _device(model: torch.nn.Module) -> torch.device:
    # An exported generator (cyclegan_plugin.deploy) has no weights here.
    first = next(itertools.chain(model.parameters(), model.buffers()), None)
    return first.device if first is not None else torch.device('cpu')


@torch.no_grad()
def translate_array(
    model: torch.nn.Module,
    image: np.ndarray,
    direction: Direction = 'AtoB',
    tile_size: Optional[int] = None,
    tile_overlap: int = 128,
) -> np.ndarray:
    """Translate one ``(H, W, 3)`` uint8 RGB image at its own size.

    The image is reflect-padded to what the generator needs and the output
    cropped back, so any size works that is not below the generator's
    smallest (a few pixels: its paddings and norms need some context).

    Args:
        model (nn.Module): From :func:`init_model` (or an exported model).
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB.
        direction (str): ``'AtoB'`` or ``'BtoA'``. Defaults to ``'AtoB'``.
        tile_size (int, optional): Translate in tiles of at most this many
            pixels a side, with whole-image norm statistics
            (:class:`~cyclegan_plugin.deploy.TiledGenerator`); None for one
            pass over the whole image. Defaults to None.
        tile_overlap (int): Context around each tile. Defaults to 128.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB translation.
    """
    return translate_batch(model, image[None], direction, tile_size, tile_overlap)[0]


@torch.no_grad()
def translate_batch(
    model: torch.nn.Module,
    images: np.ndarray,
    direction: Direction = 'AtoB',
    tile_size: Optional[int] = None,
    tile_overlap: int = 128,
) -> np.ndarray:
    """Translate ``(N, H, W, 3)`` uint8 RGB images of one size.

    The arguments are those of :func:`translate_array`.

    Raises:
        ValueError: If the model lacks the direction, or tiles are asked of an
            exported generator (its norms cannot take outside statistics).
    """
    gen = _generator(model, direction)
    tiled = _tiled(gen, tile_size, tile_overlap)
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
    # A tiled image stays in host memory; only its tiles go to the device.
    x = model.data_preprocessor.normalize(x if tile_size else x.to(_device(model)))
    h, w = x.shape[-2:]
    div = size_divisor(gen)
    pad_h, pad_w = (-h) % div, (-w) % div
    if pad_h or pad_w:
        mode = 'reflect' if pad_h < h and pad_w < w else 'replicate'
        x = F.pad(x, (0, pad_w, 0, pad_h), mode=mode)
    if tiled is not None:
        y = tiled(x)[..., :h, :w]
    else:
        y = model.translate(x, direction)[..., :h, :w]
    out = model.data_preprocessor.destruct(y).permute(0, 2, 3, 1)
    return out.cpu().numpy()


def _generator(model: torch.nn.Module, direction: Direction) -> torch.nn.Module:
    # generators.A translates A to B (G_A), generators.B B to A.
    gen = getattr(model.generators, direction[0], None)
    if gen is None:
        raise ValueError(f'the model has no {direction} generator')
    return gen


def _tiled(
    gen: torch.nn.Module, tile_size: Optional[int], tile_overlap: int
) -> Optional[TiledGenerator]:
    if tile_size is None:
        return None
    if isinstance(gen, ExportedGenerator):
        raise ValueError(
            'tiled translation needs a checkpoint (--backend pytorch): the norms '
            'of an exported generator cannot use whole-image statistics'
        )
    return TiledGenerator(gen, tile_size, tile_overlap)


# Messages PyTorch gives when an image is too small for the generator's
# paddings, norms or kernels (smaller than its receptive field allows).
_TOO_SMALL_SIGNS = (
    'Padding size should be less than',
    'Expected more than 1 spatial element',
    "Kernel size can't be greater than actual input size",
)


def _is_too_small(err: BaseException) -> bool:
    return isinstance(err, (RuntimeError, ValueError)) and any(
        s in str(err) for s in _TOO_SMALL_SIGNS
    )


def _one_line(text: str) -> str:
    return ' '.join(str(text).split())


def _skip(failed: List[Tuple[str, str]], path: str, reason: str) -> None:
    """Record an input that is not translated, and say so now."""
    failed.append((path, reason))
    warnings.warn(f'Skipping {reason_with_path(path, reason)}', stacklevel=3)


def translate_images(
    model: torch.nn.Module,
    inputs: Union[str, Iterable[str]],
    out_dir: str,
    direction: Direction = 'AtoB',
    size: Optional[int] = None,
    batch_size: int = 1,
    ext: str = '.png',
    progress: bool = True,
    overwrite: bool = False,
    tile_size: Optional[int] = None,
    tile_overlap: int = 128,
) -> List[str]:
    """Translate image files and write the results named after the inputs.

    An output is named after its input's path relative to the input folder
    (a folder input keeps its sub-folders; a glob's path below its first
    wildcard; a file its name), with ``ext`` for its extension. Everything is
    checked before the first file is written: the arguments, that no two
    inputs map to one output (e.g. ``x.jpg`` and ``x.png``), that the output
    folder is not (inside) an input folder and no output is an input file, and
    that no output exists unless ``overwrite``.

    An input that cannot be translated on its own (unreadable or corrupt,
    too small for the generator, too large for the memory) is reported with a
    warning and skipped; the others are written, and then
    :class:`PartialTranslationError` names the skipped ones.

    Args:
        model (nn.Module): From :func:`init_model`.
        inputs (str | Iterable[str]): File, folder or glob (or several).
        out_dir (str): Output folder; created if missing.
        direction (str): ``'AtoB'`` or ``'BtoA'``. Defaults to ``'AtoB'``.
        size (int, optional): Resize every image to ``size x size`` (bicubic)
            first, as the authors test; None keeps each image's own size.
        batch_size (int): Images per forward pass (with ``size`` set; images
            of their own sizes go one by one). Defaults to 1.
        ext (str): Output extension, one of ``IMG_EXTENSIONS``. Defaults to
            ``'.png'`` (lossless).
        progress (bool): Show a progress bar. Defaults to True.
        overwrite (bool): Replace output files that already exist (never an
            input). Defaults to False.
        tile_size (int, optional): Translate each image in tiles of at most
            this many pixels a side (see :func:`translate_array`), for images
            too large for the memory. Defaults to None.
        tile_overlap (int): Context around each tile. Defaults to 128.

    Returns:
        list[str]: The written files, in input order.

    Raises:
        ValueError: If an argument is invalid, two inputs map to one output,
            or an output would replace an input (or lie in an input folder).
        FileNotFoundError: If an input matches no image file.
        FileExistsError: If outputs exist and ``overwrite`` is False.
        PartialTranslationError: After writing the others, if some inputs
            could not be translated.
        RuntimeError: If the run cannot go on (e.g. ``size`` is too small or
            too large for every image, or the disk is full); the message says
            how many files were written.
    """
    check_direction(direction)
    check_size(size)
    check_batch_size(batch_size)
    check_ext(ext)
    check_tiling(tile_size, tile_overlap)
    # Sizes the generator cannot tile by are refused before anything is written.
    _tiled(_generator(model, direction), tile_size, tile_overlap)
    if osp.exists(out_dir) and not osp.isdir(out_dir):
        raise ValueError(f'Output folder {out_dir!r} is a file; give a folder.')
    sources, input_dirs, flat_dirs = collect_sources(inputs)
    check_outside_inputs(out_dir, input_dirs, flat_dirs)
    targets = [output_path(s, out_dir, ext) for s in sources]
    check_distinct(sources, targets)
    check_new_outputs(targets, [s.path for s in sources], overwrite)

    written: List[str] = []
    failed: List[Tuple[str, str]] = []
    step = batch_size if size else 1
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(sources), unit='img', desc=f'translate {direction}')
    current = sources[0].path
    try:
        for start in range(0, len(sources), step):
            chunk = list(
                zip(sources[start : start + step], targets[start : start + step])
            )
            images, jobs = [], []
            for source, target in chunk:
                current = source.path
                try:
                    image = imread_rgb(source.path)
                    if size:
                        image = cv2.resize(
                            image, (size, size), interpolation=cv2.INTER_CUBIC
                        )
                except (OSError, ValueError, MemoryError, cv2.error) as err:
                    # MemoryError() has no message of its own.
                    reason = _one_line(err) or f'{type(err).__name__} reading it'
                    _skip(failed, source.path, reason)
                    continue
                images.append(image)
                jobs.append((source.path, target))
            for (path, target), out in _translate_chunk(
                model, images, jobs, direction, size, failed, (tile_size, tile_overlap)
            ):
                current = path
                write_image_atomic(target, out)
                written.append(target)
            if bar is not None:
                bar.update(len(chunk))
    except (PartialTranslationError, KeyboardInterrupt):
        raise
    except Exception as err:
        raise RuntimeError(
            f'Stopped at {current!r} after writing {len(written)} of '
            f'{len(sources)} images to {out_dir!r} ({len(failed)} skipped): '
            f'{_one_line(err)}'
        ) from err
    finally:
        if bar is not None:
            bar.close()
    if failed:
        raise PartialTranslationError(written, failed)
    return written


def _translate_chunk(
    model: torch.nn.Module,
    images: List[np.ndarray],
    jobs: List[Tuple[str, str]],
    direction: Direction,
    size: Optional[int],
    failed: List[Tuple[str, str]],
    tiling: Tuple[Optional[int], int] = (None, 128),
) -> Iterator[Tuple[Tuple[str, str], np.ndarray]]:
    """Yield ``(job, translation)``; an image too big or small is skipped.

    With ``size`` every image has that size, so one that is too small or too
    big for the memory stops the run; a batch that is too big is retried
    image by image.
    """
    if not images:
        return
    try:
        outputs = translate_batch(model, np.stack(images), direction, *tiling)
    except (RuntimeError, ValueError, MemoryError) as err:
        if not (is_out_of_memory(err) or _is_too_small(err)):
            raise
        if is_out_of_memory(err) and _device(model).type == 'cuda':
            torch.cuda.empty_cache()
        if len(images) > 1 and is_out_of_memory(err):
            for image, job in zip(images, jobs):
                yield from _translate_chunk(
                    model, [image], [job], direction, size, failed, tiling
                )
            return
        h, w = images[0].shape[:2]
        if size and _is_too_small(err):
            raise ValueError(
                f'size {size} is too small for this generator ({_one_line(err)}); '
                'use a larger --size.'
            ) from err
        if size:
            raise RuntimeError(
                f'too little memory to translate one {size}x{size} image; use a '
                'smaller --size, or free memory.'
            ) from err
        if _is_too_small(err):
            reason = (
                f'{w}x{h} px is too small for this generator; resize it with '
                '--size N (e.g. --size 256) or remove it'
            )
        else:
            reason = (
                f'too little memory to translate it at {w}x{h} px; translate it in '
                'tiles with --tile 512 (or smaller), resize it with --size N, or '
                'free memory'
            )
        _skip(failed, jobs[0][0], reason)
        return
    yield from zip(jobs, outputs)
