"""Scores of generated label maps against the true ones (photo→labels)."""

from typing import Any, Optional, Sequence, Union

import torch

from ...registry import METRICS
from ..functional import colors_to_labels
from .base_segmentation_metric import BaseSegmentationMetric
from .sample_field import get_field


@METRICS.register_module()
class LabelScore(BaseSegmentationMetric):
    """Per-pixel accuracy, per-class accuracy and mean IoU of translated labels.

    The paper's photo→labels scores (Zhu et al. 2017, Table 2): each pixel of
    the generated label map (``fake_B`` for 'AtoB') takes the class of the
    nearest palette colour, as does the ground-truth map (``real_B``); the
    confusion matrix is summed over the test set. Needs aligned data
    (``aligned=True``), e.g. facades, whose labels are domain B.

    Args:
        direction (str): 'AtoB' (generated ``fake_B`` vs ``real_B``) or
            'BtoA'. Defaults to 'AtoB'.
        palette (str | Sequence[Sequence[int]]): Palette name or colours.
            Defaults to 'facades'.
        class_names (Sequence[str], optional): Class names. Defaults to None.
        **kwargs: ``bootstrap``, ``collect_device``, ``prefix``, ``collect_dir``.

    Example:
        >>> test_evaluator = dict(type='LabelScore', palette='facades')
    """

    def __init__(
        self,
        direction: str = 'AtoB',
        palette: Union[str, Sequence[Sequence[int]]] = 'facades',
        class_names: Optional[Sequence[str]] = None,
        **kwargs,
    ) -> None:
        super().__init__(direction, palette, class_names, **kwargs)

    @property
    def truth_field(self) -> str:
        """The real target-domain label map, e.g. ``real_B``."""
        return self.fields.real

    def predict(self, sample: Any, truth: torch.Tensor) -> torch.Tensor:
        """Classes of the generated label map (nearest palette colour).

        Raises:
            ValueError: If the sample is not aligned or the sizes differ.
        """
        if sample.get('aligned', None) is not True:
            source = sample.get(self.fields.source_path, None)
            raise ValueError(
                'LabelScore compares generated label maps with ground truth, so it '
                f'needs aligned=True data; sample {source!r} has '
                f'aligned={sample.get("aligned", None)!r}'
            )
        generated = get_field(sample, self.fields.fake, 'LabelScore').cpu()
        if generated.shape[1:] != truth.shape:
            raise ValueError(
                f'LabelScore: {self.fields.fake} is {tuple(generated.shape[1:])} but '
                f'{self.fields.real} is {tuple(truth.shape)}'
            )
        return colors_to_labels(generated, self.palette)
