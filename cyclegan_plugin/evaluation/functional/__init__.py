"""Metric formulas on arrays and tensors, free of MMEngine."""

from .bootstrap import bootstrap_std, check_bootstrap_rounds
from .frechet_distance import (
    feature_statistics,
    frechet_distance,
    frechet_distance_of_features,
)
from .image_similarity import l1_distance, psnr, ssim
from .kernel_inception_distance import kernel_inception_distance
from .segmentation_scores import (
    colors_to_labels,
    confusion_matrix,
    segmentation_scores,
)

__all__ = [
    'bootstrap_std',
    'check_bootstrap_rounds',
    'colors_to_labels',
    'confusion_matrix',
    'segmentation_scores',
    'feature_statistics',
    'frechet_distance',
    'frechet_distance_of_features',
    'kernel_inception_distance',
    'l1_distance',
    'psnr',
    'ssim',
]
