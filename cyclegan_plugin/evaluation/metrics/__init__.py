"""Registered metrics for image translation (``METRICS`` in cyclegan_plugin)."""

from .base_feature_metric import BaseFeatureMetric
from .base_paired_metric import BasePairedMetric
from .fid import FID
from .kid import KID
from .l1 import L1
from .psnr import PSNR
from .ssim import SSIM

__all__ = [
    'BaseFeatureMetric',
    'BasePairedMetric',
    'FID',
    'KID',
    'L1',
    'PSNR',
    'SSIM',
]
