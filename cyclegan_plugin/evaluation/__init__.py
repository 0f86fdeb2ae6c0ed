"""Metrics for image translation: FID/KID offline, paired scores, helpers."""

from . import functional, metrics
from .feature_cache import FeatureCache
from .folder_metrics import folder_distances
from .inception_feature_extractor import (
    InceptionFeatureExtractor,
    default_inception_weights,
)
from .metrics import FID, KID, L1, PSNR, SSIM

__all__ = [
    'functional',
    'metrics',
    'FeatureCache',
    'InceptionFeatureExtractor',
    'default_inception_weights',
    'folder_distances',
    'FID',
    'KID',
    'L1',
    'PSNR',
    'SSIM',
]
