"""Transforms for translation samples: load, resize, crop, flip, pack.

Each transform works on the image keys given by ``keys`` (default
``['img_A', 'img_B']``); images are HWC uint8 RGB arrays until
:class:`PackTranslationInputs` turns them into (3, H, W) uint8 tensors.
"""

from .image_io import CorruptImageError, imread_rgb
from .load_aligned_pair import LoadAlignedPair
from .load_translation_image import LoadTranslationImage
from .pack_translation_inputs import PackTranslationInputs
from .random_crop_images import RandomCropImages
from .random_flip_images import RandomFlipImages
from .resize_images import ResizeImages

__all__ = [
    'CorruptImageError',
    'LoadAlignedPair',
    'LoadTranslationImage',
    'PackTranslationInputs',
    'RandomCropImages',
    'RandomFlipImages',
    'ResizeImages',
    'imread_rgb',
]
