"""Metric formulas on arrays and tensors, free of MMEngine."""

from .frechet_distance import feature_statistics, frechet_distance
from .image_similarity import l1_distance, psnr, ssim
from .kernel_inception_distance import kernel_inception_distance

__all__ = [
    'feature_statistics',
    'frechet_distance',
    'kernel_inception_distance',
    'l1_distance',
    'psnr',
    'ssim',
]
