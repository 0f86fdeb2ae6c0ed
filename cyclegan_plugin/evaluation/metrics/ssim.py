"""SSIM between translations and ground truth (aligned data)."""

import torch

from ...registry import METRICS
from ..functional import ssim
from .base_paired_metric import BasePairedMetric


@METRICS.register_module()
class SSIM(BasePairedMetric):
    """Structural similarity, mean over pixels and RGB channels; higher is better.

    Gaussian 11x11 window with sigma 1.5, as in Wang et al. 2004.

    Per-image scores averaged over the test set, one key per direction
    (``SSIM-AtoB``: fake_B vs real_B, ``SSIM-BtoA``: fake_A vs real_A).
    Arguments are those of :class:`BasePairedMetric`.

    Example:
        >>> test_evaluator = dict(type='SSIM', directions=('AtoB',))
    """

    metric_name = 'SSIM'

    def pair_score(self, fake: torch.Tensor, real: torch.Tensor) -> float:
        """SSIM of one uint8 (3, H, W) translation against its ground truth."""
        return ssim(fake, real)
