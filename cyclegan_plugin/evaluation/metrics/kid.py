"""Kernel Inception Distance between translations and real images."""

from typing import Dict, Optional, Sequence

import numpy as np

from cyclegan_plugin.structures import DIRECTIONS

from ...registry import METRICS
from ..functional import kernel_inception_distance
from .base_feature_metric import BaseFeatureMetric


@METRICS.register_module()
class KID(BaseFeatureMetric):
    """KID of each translation direction: ``KID-AtoB`` and ``KID-AtoB-std``.

    The unbiased squared MMD between Inception features of the translations and
    of the distinct real target images, with the cubic polynomial kernel,
    averaged over random subsets (StyleGAN2-ADA's estimator; see
    :func:`~cyclegan_plugin.evaluation.functional.kernel_inception_distance`).
    Unlike FID it is unbiased for small sets. Lower is better; papers often
    print it times 100 or 1000, this metric does not scale it.

    Args:
        directions (Sequence[str]): Directions to score. Defaults to
            ('AtoB', 'BtoA').
        num_subsets (int): Random subsets averaged. Defaults to 100.
        max_subset_size (int): Largest subset size. Defaults to 1000.
        seed (int): Seed of the subset sampling. Defaults to 0.
        **kwargs: The other arguments of :class:`BaseFeatureMetric`
            (``weights``, ``batch_size``, ``cache_dir``, ...).

    Example:
        >>> val_evaluator = [dict(type='FID'), dict(type='KID')]
    """

    metric_name = 'KID'

    def __init__(
        self,
        directions: Sequence[str] = DIRECTIONS,
        num_subsets: int = 100,
        max_subset_size: int = 1000,
        seed: int = 0,
        weights: Optional[str] = None,
        **kwargs,
    ) -> None:
        super().__init__(directions=directions, weights=weights, **kwargs)
        if num_subsets < 1 or max_subset_size < 2:
            raise ValueError(
                'KID needs num_subsets >= 1 and max_subset_size >= 2, but got '
                f'num_subsets={num_subsets}, max_subset_size={max_subset_size}'
            )
        self.num_subsets = num_subsets
        self.max_subset_size = max_subset_size
        self.seed = seed

    def score(
        self, direction: str, fake_features: np.ndarray, real_features: np.ndarray
    ) -> Dict[str, float]:
        """KID (mean and standard deviation over subsets) of one direction.

        Args:
            direction (str): 'AtoB' or 'BtoA'.
            fake_features (np.ndarray): Translation features (N1, D), N1 >= 2.
            real_features (np.ndarray): Real image features (N2, D), N2 >= 2.

        Returns:
            dict[str, float]: ``{'KID-<direction>': mean,
            'KID-<direction>-std': std}``.
        """
        name = f'{self.metric_name}-{direction}'
        mean, std = kernel_inception_distance(
            fake_features,
            real_features,
            self.num_subsets,
            self.max_subset_size,
            self.seed,
        )
        return {name: mean, f'{name}-std': std}
