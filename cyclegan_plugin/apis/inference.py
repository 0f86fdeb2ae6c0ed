"""Load a trained model and translate image files (used by tools/translate.py)."""

import glob
import itertools
import os.path as osp
import warnings
from typing import (
    Dict,
    Iterable,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Union,
)

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config

from cyclegan_plugin.apis.cli import is_out_of_memory
from cyclegan_plugin.datasets.image_files import (
    IMG_EXTENSIONS,
    list_images,
    unique_files,
)
from cyclegan_plugin.datasets.transforms.image_io import imread_rgb
from cyclegan_plugin.deploy import ExportedGenerator, TiledGenerator, size_divisor
from cyclegan_plugin.engine.runner import check_model_state_dict
from cyclegan_plugin.fileio import (
    check_new_outputs,
    check_outside_inputs,
    write_image_atomic,
)
from cyclegan_plugin.models.utils import load_weights_file
from cyclegan_plugin.registry import MODELS, build_in_scope
from cyclegan_plugin.structures import Direction, check_direction


def load_weights(checkpoint: str, trust_checkpoint: bool = False) -> dict:
    """Read a checkpoint's ``state_dict`` without running pickled code.

    Args:
        checkpoint (str): Plugin or MMEngine checkpoint file.
        trust_checkpoint (bool): Allow full unpickling (only for files from a
            source you trust). Defaults to False.

    Returns:
        dict: Parameter name → tensor.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is empty, not a torch file or damaged, or needs
            unpickling and ``trust_checkpoint`` is off.
        RuntimeError: If it holds no state_dict.
    """
    ckpt = load_weights_file(checkpoint, trust=trust_checkpoint)
    state = ckpt.get('state_dict', ckpt)
    if not isinstance(state, dict):
        raise RuntimeError(f'{checkpoint!r} holds no state_dict.')
    return {
        k[len('module.') :] if k.startswith('module.') else k: v
        for k, v in state.items()
    }


def init_model(
    config: Union[str, Config],
    checkpoint: Optional[str] = None,
    device: Union[str, torch.device] = 'cpu',
    trust_checkpoint: bool = False,
) -> torch.nn.Module:
    """Build the config's model and load a checkpoint for inference.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): Weights; a generator-only file suffices.
        device (str | torch.device): Defaults to ``'cpu'``.
        trust_checkpoint (bool): See :func:`load_weights`.

    Returns:
        nn.Module: The model in eval mode.

    Raises:
        RuntimeError: If ``device`` is a CUDA device that is not available
            (see :func:`check_device`), before anything is built.
    """
    check_device(device)
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = build_in_scope(MODELS, cfg.model)
    if checkpoint is not None:
        state = load_weights(checkpoint, trust_checkpoint)
        check_model_state_dict(model, state, source=checkpoint)
        model.load_state_dict(state, strict=False)
    return model.to(device).eval()


def check_device(device: Union[str, torch.device]) -> torch.device:
    """The device to run on, refused early when it is not there.

    Args:
        device (str | torch.device): E.g. ``'cpu'``, ``'cuda'``, ``'cuda:1'``.

    Returns:
        torch.device: The parsed device.

    Raises:
        ValueError: If the string names no device type.
        RuntimeError: If it is a CUDA device and that GPU is not available.
    """
    try:
        parsed = torch.device(device)
    except RuntimeError as err:
        raise ValueError(
            f"device {str(device)!r} is not a device name; use 'cpu' or 'cuda' "
            "(or 'cuda:N')."
        ) from err
    if parsed.type == 'cuda':
        if not torch.cuda.is_available():
            raise RuntimeError(
                f'device {str(device)!r}: no CUDA device is available here; use '
                "--device cpu (Python: device='cpu')."
            )
        count = torch.cuda.device_count()
        if parsed.index is not None and parsed.index >= count:
            raise RuntimeError(
                f'device {str(device)!r}: there is no CUDA device {parsed.index} '
                f'({count} available: cuda:0 to cuda:{count - 1}).'
            )
    return parsed


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


class _Source(NamedTuple):
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


def _collect(
    inputs: Union[str, Iterable[str]],
) -> Tuple[List[_Source], List[str], List[str]]:
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
    sources: List[_Source] = []
    input_dirs: List[str] = []
    flat_dirs: List[str] = []
    for pattern in patterns:
        if osp.isdir(pattern):
            sources += [_Source(f, pattern) for f in list_images(pattern)]
            input_dirs.append(pattern)
            continue
        if osp.isfile(pattern):
            if not pattern.lower().endswith(IMG_EXTENSIONS):
                raise ValueError(
                    f'Input {pattern!r} is not an image file by its extension; '
                    f'give files ending in one of {", ".join(IMG_EXTENSIONS)}.'
                )
            sources.append(_Source(pattern, None))
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
        sources += [_Source(f, base) for f in found]
        if '**' in pattern:
            input_dirs.append(base)
        else:  # it does not read the sub-folders of its folder
            flat_dirs.append(base)
    by_path: Dict[str, _Source] = {}
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
    return [s.path for s in _collect(inputs)[0]]


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
    warnings.warn(f'Skipping {_about(path, reason)}', stacklevel=3)


def _about(path: str, reason: str) -> str:
    """``reason`` naming ``path``, which most image errors already do."""
    return reason if repr(path) in reason else f'{path!r}: {reason}'


class PartialTranslationError(RuntimeError):
    """Some inputs could not be translated; all the others were written.

    Args:
        written (list[str]): The files written.
        failed (list[tuple[str, str]]): ``(input file, reason)`` of each
            input that was not translated.
    """

    def __init__(self, written: List[str], failed: List[Tuple[str, str]]) -> None:
        self.written = list(written)
        self.failed = list(failed)
        reasons = '; '.join(_about(path, reason) for path, reason in self.failed)
        super().__init__(
            f'{len(self.written)} translated, {len(self.failed)} failed: {reasons}'
        )


def _output_path(source: _Source, out_dir: str, ext: str) -> str:
    rel = osp.relpath(source.path, source.root) if source.root else None
    if rel is None or rel.startswith(osp.pardir + osp.sep):
        rel = osp.basename(source.path)
    return osp.join(out_dir, osp.splitext(rel)[0] + ext)


def _check_distinct(sources: List[_Source], targets: List[str]) -> None:
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
    sources, input_dirs, flat_dirs = _collect(inputs)
    check_outside_inputs(out_dir, input_dirs, flat_dirs)
    targets = [_output_path(s, out_dir, ext) for s in sources]
    _check_distinct(sources, targets)
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
