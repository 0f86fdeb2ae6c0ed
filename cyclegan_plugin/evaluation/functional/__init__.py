"""Metric formulas on arrays and tensors, free of MMEngine."""

from .frechet_distance import feature_statistics, frechet_distance
from .image_similarity import l1_distance, psnr, ssim
from .kernel_inception_distance import kernel_inception_distance
from .segmentation_scores import (
    colors_to_labels,
    confusion_matrix,
    segmentation_scores,
)

__all__ = [
    'colors_to_labels',
    'confusion_matrix',
    'segmentation_scores',
    'feature_statistics',
    'frechet_distance',
    'kernel_inception_distance',
    'l1_distance',
    'psnr',
    'ssim',
]
