"""PSNR between translations and ground truth (aligned data)."""

import torch

from ...registry import METRICS
from ..functional import psnr
from .base_paired_metric import BasePairedMetric


@METRICS.register_module()
class PSNR(BasePairedMetric):
    """Peak signal-to-noise ratio (dB, peak 255); higher is better.

    Per-image scores averaged over the test set, one key per direction
    (``PSNR-AtoB``: fake_B vs real_B, ``PSNR-BtoA``: fake_A vs real_A).
    Arguments are those of :class:`BasePairedMetric`.

    Example:
        >>> test_evaluator = dict(type='PSNR', directions=('AtoB',))
    """

    metric_name = 'PSNR'

    def pair_score(self, fake: torch.Tensor, real: torch.Tensor) -> float:
        """PSNR of one uint8 (3, H, W) translation against its ground truth."""
        return psnr(fake, real)
