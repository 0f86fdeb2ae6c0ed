"""Shared machinery of the paired metrics: translation vs ground truth."""

from typing import Any, ClassVar, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from cyclegan_plugin.structures import DIRECTION_FIELDS, DIRECTIONS, check_directions

from .sample_field import get_field


class BasePairedMetric(BaseMetric):
    """Mean over images of a score between each translation and its ground truth.

    Only for aligned data (``aligned=True`` in the metainfo: facades, the
    synthetic demo test split), where ``real_B`` is the true translation of
    ``real_A``: direction 'AtoB' compares ``fake_B`` with ``real_B``, 'BtoA'
    ``fake_A`` with ``real_A``. Subclasses define :meth:`pair_score`.

    Args:
        directions (Sequence[str]): Directions to score, of 'AtoB', 'BtoA'.
            Defaults to ('AtoB', 'BtoA').
        collect_device (str): Passed to ``BaseMetric``. Defaults to 'cpu'.
        prefix (str, optional): Passed to ``BaseMetric``. Defaults to None.
        collect_dir (str, optional): Passed to ``BaseMetric``. Defaults to None.
    """

    metric_name: ClassVar[str] = ''
    # No prefix by default: keys like 'PSNR-AtoB' are already unambiguous.
    default_prefix: Optional[str] = ''

    def __init__(
        self,
        directions: Sequence[str] = DIRECTIONS,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device, prefix, collect_dir)
        self.directions = check_directions(directions)

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Score each sample's translations against the ground truth.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[BaseDataElement]): Outputs of
                ``val_step``/``test_step`` with uint8 (3, H, W) fields.

        Raises:
            ValueError: If a sample is not aligned or the two images differ
                in shape.
        """
        name = type(self).__name__
        for sample in data_samples:
            source = sample.get('img_A_path', None) or sample.get('img_path', None)
            if sample.get('aligned', None) is not True:
                raise ValueError(
                    f'{name} compares translations with ground truth, so it needs '
                    'aligned data (aligned=True in the metainfo); sample '
                    f'{source!r} has aligned={sample.get("aligned", None)!r}. '
                    'Use FID/KID for unpaired data.'
                )
            result = {}
            for direction in self.directions:
                fields = DIRECTION_FIELDS[direction]
                fake = get_field(sample, fields.fake, name)
                real = get_field(sample, fields.real, name)
                if fake.shape != real.shape:
                    raise ValueError(
                        f'{name}: {fields.fake} {tuple(fake.shape)} and '
                        f'{fields.real} {tuple(real.shape)} differ in shape '
                        f'(sample {source!r})'
                    )
                result[direction] = self.pair_score(fake.cpu(), real.cpu())
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Average the per-image scores.

        Args:
            results (list[dict]): Per-sample scores by direction.

        Returns:
            dict[str, float]: Means keyed like ``PSNR-AtoB``.
        """
        return {
            f'{self.metric_name}-{direction}': float(
                np.mean([result[direction] for result in results])
            )
            for direction in self.directions
        }

    def pair_score(self, fake: torch.Tensor, real: torch.Tensor) -> float:
        """Score one translation against its ground truth.

        Args:
            fake (torch.Tensor): uint8 translation of shape (3, H, W).
            real (torch.Tensor): uint8 ground truth of the same shape.

        Returns:
            float: The score.
        """
        raise NotImplementedError
