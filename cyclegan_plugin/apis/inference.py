"""Load a trained model and translate image files (used by tools/translate.py)."""

import glob
import os.path as osp
from typing import Iterable, List, Literal, Optional, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config

from cyclegan_plugin.datasets.transforms.image_io import imread_rgb
from cyclegan_plugin.engine.hooks.save_translations_hook import write_image_atomic
from cyclegan_plugin.engine.runner import check_model_state_dict
from cyclegan_plugin.models.utils import load_weights_file
from cyclegan_plugin.registry import MODELS, build_in_scope

Direction = Literal['AtoB', 'BtoA']
IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


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
        ValueError: If it needs unpickling and ``trust_checkpoint`` is off.
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
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = build_in_scope(MODELS, cfg.model)
    if checkpoint is not None:
        state = load_weights(checkpoint, trust_checkpoint)
        check_model_state_dict(model, state, source=checkpoint)
        model.load_state_dict(state, strict=False)
    return model.to(device).eval()


def collect_images(inputs: Union[str, Iterable[str]]) -> List[str]:
    """Expand a file, folder (recursively) or glob into sorted image files.

    Raises:
        FileNotFoundError: If nothing matches.
    """
    patterns = [inputs] if isinstance(inputs, str) else list(inputs)
    files: List[str] = []
    for pattern in patterns:
        if osp.isdir(pattern):
            found = glob.glob(osp.join(pattern, '**', '*'), recursive=True)
        elif osp.isfile(pattern):
            found = [pattern]
        else:
            found = glob.glob(pattern, recursive=True)
        files += [f for f in found if osp.isfile(f) and f.lower().endswith(IMAGE_EXTS)]
    if not files:
        raise FileNotFoundError(
            f'No image file ({", ".join(IMAGE_EXTS)}) matches {inputs!r}: give '
            'a file, a folder or a quoted glob such as "photos/*.jpg".'
        )
    return sorted(set(files))


def _size_divisor(generator: torch.nn.Module) -> int:
    # U-Nets halve the size num_downs times; ResNets twice.
    return int(getattr(generator, 'size_divisor', 4))


@torch.no_grad()
def translate_array(
    model: torch.nn.Module, image: np.ndarray, direction: Direction = 'AtoB'
) -> np.ndarray:
    """Translate one ``(H, W, 3)`` uint8 RGB image at its own size.

    The image is reflect-padded to what the generator needs and the output
    cropped back, so any size works.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB translation.
    """
    return translate_batch(model, image[None], direction)[0]


@torch.no_grad()
def translate_batch(
    model: torch.nn.Module, images: np.ndarray, direction: Direction = 'AtoB'
) -> np.ndarray:
    """Translate ``(N, H, W, 3)`` uint8 RGB images of one size."""
    device = next(model.parameters()).device
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
    x = model.data_preprocessor.normalize(x.to(device))
    h, w = x.shape[-2:]
    gen = model.generators.A if direction == 'AtoB' else model.generators.B
    div = _size_divisor(gen)
    pad_h, pad_w = (-h) % div, (-w) % div
    if pad_h or pad_w:
        mode = 'reflect' if pad_h < h and pad_w < w else 'replicate'
        x = F.pad(x, (0, pad_w, 0, pad_h), mode=mode)
    y = model.translate(x, direction)[..., :h, :w]
    out = model.data_preprocessor.destruct(y).permute(0, 2, 3, 1)
    return out.cpu().numpy()


def translate_images(
    model: torch.nn.Module,
    inputs: Union[str, Iterable[str]],
    out_dir: str,
    direction: Direction = 'AtoB',
    size: Optional[int] = None,
    batch_size: int = 1,
    ext: str = '.png',
    progress: bool = True,
) -> List[str]:
    """Translate image files and write the results named after the inputs.

    Args:
        model (nn.Module): From :func:`init_model`.
        inputs (str | Iterable[str]): File, folder or glob (or several).
        out_dir (str): Output folder; a folder input keeps its sub-folders.
        direction (str): ``'AtoB'`` or ``'BtoA'``. Defaults to ``'AtoB'``.
        size (int, optional): Resize every image to ``size x size`` (bicubic)
            first, as the authors test; None keeps each image's own size.
        batch_size (int): Images per forward pass (with ``size`` set; images
            of their own sizes go one by one). Defaults to 1.
        ext (str): Output extension. Defaults to ``'.png'`` (lossless).
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        list[str]: The written files, in input order.
    """
    if direction not in ('AtoB', 'BtoA'):
        raise ValueError(f"direction must be 'AtoB' or 'BtoA', but got {direction!r}")
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, but got {batch_size}')
    files = collect_images(inputs)
    root = inputs if isinstance(inputs, str) and osp.isdir(inputs) else None
    targets = [
        osp.join(
            out_dir,
            osp.splitext(osp.relpath(f, root) if root else osp.basename(f))[0] + ext,
        )
        for f in files
    ]
    if len(set(targets)) != len(targets):
        raise ValueError(
            'Several inputs have the same file name; give a '
            'folder (its sub-folders are kept) instead.'
        )
    step = batch_size if size else 1
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit='img', desc=f'translate {direction}')
    for start in range(0, len(files), step):
        chunk = files[start : start + step]
        images = [imread_rgb(f) for f in chunk]
        if size:
            images = [
                cv2.resize(im, (size, size), interpolation=cv2.INTER_CUBIC)
                for im in images
            ]
        outputs = translate_batch(model, np.stack(images), direction)
        for out, target in zip(outputs, targets[start : start + step]):
            write_image_atomic(target, out)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return targets
