"""Fréchet Inception Distance between translations and real images."""

from typing import Dict

import numpy as np

from ...registry import METRICS
from ..functional import frechet_distance_of_features
from .base_feature_metric import BaseFeatureMetric


@METRICS.register_module()
class FID(BaseFeatureMetric):
    """FID of each translation direction, e.g. ``FID-AtoB`` (fake_B vs real_B).

    The pytorch-fid/StyleGAN Inception-v3 pool features (2048-d) of the
    translations and of the distinct real target images are summarised by their
    mean and covariance; FID is the Fréchet distance between the two Gaussians
    (see :func:`~cyclegan_plugin.evaluation.functional.frechet_distance`).
    Lower is better. All arguments are those of :class:`BaseFeatureMetric`.

    Example:
        >>> val_evaluator = dict(type='FID', directions=('AtoB', 'BtoA'))
    """

    metric_name = 'FID'

    def score(
        self, direction: str, fake_features: np.ndarray, real_features: np.ndarray
    ) -> Dict[str, float]:
        """FID between the two feature sets of one direction.

        Args:
            direction (str): 'AtoB' or 'BtoA'.
            fake_features (np.ndarray): Translation features (N1, D), N1 >= 2.
            real_features (np.ndarray): Real image features (N2, D), N2 >= 2.

        Returns:
            dict[str, float]: ``{'FID-<direction>': value}``.

        Raises:
            ValueError: If a set has fewer than 2 images.
        """
        name = f'{self.metric_name}-{direction}'
        if min(len(fake_features), len(real_features)) < 2:
            raise ValueError(
                f'{name} needs at least 2 translated and 2 real images, got '
                f'{len(fake_features)} and {len(real_features)}'
            )
        return {name: frechet_distance_of_features(fake_features, real_features)}
