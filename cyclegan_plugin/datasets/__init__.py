"""Datasets and transforms for unpaired and aligned image translation."""

from . import transforms
from .aligned_image_dataset import AlignedImageDataset
from .base_translation_dataset import BaseTranslationDataset
from .download import DATASET_LAYOUTS, DownloadError, download_dataset
from .holdout_split import HoldoutSplit
from .image_files import IMG_EXTENSIONS, check_data_root, list_images
from .random_pairing import RandomPairing
from .synthetic_scenes import render_scene, scene_rng, write_synthetic_dataset
from .synthetic_stripes_dataset import SyntheticStripesDataset
from .unpaired_image_dataset import UnpairedImageDataset

__all__ = [
    'AlignedImageDataset',
    'BaseTranslationDataset',
    'DATASET_LAYOUTS',
    'DownloadError',
    'HoldoutSplit',
    'IMG_EXTENSIONS',
    'RandomPairing',
    'SyntheticStripesDataset',
    'UnpairedImageDataset',
    'check_data_root',
    'download_dataset',
    'list_images',
    'render_scene',
    'scene_rng',
    'transforms',
    'write_synthetic_dataset',
]
