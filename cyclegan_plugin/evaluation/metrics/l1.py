"""L1 between translations and ground truth (aligned data)."""

import torch

from ...registry import METRICS
from ..functional import l1_distance
from .base_paired_metric import BasePairedMetric


@METRICS.register_module()
class L1(BasePairedMetric):
    """Mean absolute difference with pixels scaled to [0, 1]; lower is better.

    Per-image scores averaged over the test set, one key per direction
    (``L1-AtoB``: fake_B vs real_B, ``L1-BtoA``: fake_A vs real_A).
    Arguments are those of :class:`BasePairedMetric`.

    Example:
        >>> test_evaluator = dict(type='L1', directions=('AtoB',))
    """

    metric_name = 'L1'

    def pair_score(self, fake: torch.Tensor, real: torch.Tensor) -> float:
        """L1 of one uint8 (3, H, W) translation against its ground truth."""
        return l1_distance(fake, real)
