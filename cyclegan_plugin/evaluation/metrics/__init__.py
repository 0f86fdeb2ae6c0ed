"""Registered metrics for image translation (``METRICS`` in cyclegan_plugin)."""

from .base_feature_metric import BaseFeatureMetric
from .base_paired_metric import BasePairedMetric
from .base_segmentation_metric import BaseSegmentationMetric
from .fcn_score import FCNScore
from .fid import FID
from .kid import KID
from .l1 import L1
from .label_score import LabelScore
from .psnr import PSNR
from .ssim import SSIM

__all__ = [
    'BaseFeatureMetric',
    'BasePairedMetric',
    'BaseSegmentationMetric',
    'FCNScore',
    'FID',
    'KID',
    'L1',
    'LabelScore',
    'PSNR',
    'SSIM',
]
