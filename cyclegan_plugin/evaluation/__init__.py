"""Metrics for image translation: FID/KID offline, paired scores, helpers."""

from . import functional, metrics, palettes
from .feature_cache import FeatureCache
from .folder_metrics import folder_distances
from .inception_feature_extractor import (
    InceptionFeatureExtractor,
    default_inception_weights,
)
from .metrics import FID, KID, L1, PSNR, SSIM, FCNScore, LabelScore
from .palettes import FACADES_CLASSES, FACADES_PALETTE, PALETTES, derive_palette

__all__ = [
    'functional',
    'metrics',
    'palettes',
    'FACADES_CLASSES',
    'FACADES_PALETTE',
    'PALETTES',
    'derive_palette',
    'FeatureCache',
    'InceptionFeatureExtractor',
    'default_inception_weights',
    'folder_distances',
    'FCNScore',
    'FID',
    'KID',
    'L1',
    'LabelScore',
    'PSNR',
    'SSIM',
]
