"""Shared machinery of the label-map scores: palette, confusion matrix, means."""

from typing import Any, ClassVar, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from cyclegan_plugin.structures import DIRECTION_FIELDS, check_directions

from ..functional import (
    bootstrap_std,
    check_bootstrap_rounds,
    colors_to_labels,
    confusion_matrix,
    segmentation_scores,
)
from ..palettes import PALETTES, palette_array
from .sample_field import get_field


class BaseSegmentationMetric(BaseMetric):
    """Accumulates a confusion matrix over the test set and reports its scores.

    Label-map images are turned into class indices by the nearest palette
    colour. Subclasses say where the predicted classes come from
    (:meth:`predict`) and which field holds the true label map
    (:attr:`truth_field`). Keys: ``<key_prefix>PixelAcc-<direction>``,
    ``...ClassAcc-...`` and ``...mIoU-...`` (see
    :func:`~cyclegan_plugin.evaluation.functional.segmentation_scores`), and
    with ``bootstrap`` each one's spread, e.g. ``ClassAcc-AtoB-bootstrap-std``.

    Args:
        direction (str): 'AtoB' or 'BtoA'.
        palette (str | Sequence[Sequence[int]]): A name in
            :data:`~cyclegan_plugin.evaluation.palettes.PALETTES` (e.g.
            'facades') or K RGB colours. Defaults to 'facades'.
        class_names (Sequence[str], optional): Names of the K classes, for
            the log. Defaults to None: the named palette's, else 'class_<k>'.
        bootstrap (int): Also report the spread of each score over this many
            resamplings of the test images with replacement (each draw sums
            the confusion matrices of the drawn images; see
            :func:`~cyclegan_plugin.evaluation.functional.bootstrap_std`); 0 for
            none. Defaults to 0.
        collect_device (str): Passed to ``BaseMetric``. Defaults to 'cpu'.
        prefix (str, optional): Passed to ``BaseMetric``. Defaults to None.
        collect_dir (str, optional): Passed to ``BaseMetric``. Defaults to None.
    """

    key_prefix: ClassVar[str] = ''
    default_prefix: Optional[str] = ''

    def __init__(
        self,
        direction: str,
        palette: Union[str, Sequence[Sequence[int]]] = 'facades',
        class_names: Optional[Sequence[str]] = None,
        bootstrap: int = 0,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device, prefix, collect_dir)
        self.bootstrap = check_bootstrap_rounds(bootstrap)
        (self.direction,) = check_directions((direction,))
        self.fields = DIRECTION_FIELDS[self.direction]
        if isinstance(palette, str):
            if palette not in PALETTES:
                raise KeyError(
                    f'unknown palette {palette!r}; named palettes: {sorted(PALETTES)}, '
                    'or give a list of RGB colours'
                )
            default_names, palette = PALETTES[palette]
            class_names = class_names or default_names
        colors = palette_array(palette)
        class_names = tuple(class_names or (f'class_{k}' for k in range(len(colors))))
        if len(class_names) != len(colors):
            raise ValueError(
                f'{len(class_names)} class names for a palette of {len(colors)} colours'
            )
        self.palette = torch.from_numpy(colors)
        self.class_names = class_names

    @property
    def num_classes(self) -> int:
        """K, the number of classes."""
        return len(self.class_names)

    @property
    def truth_field(self) -> str:
        """The data-sample field holding the true label map."""
        raise NotImplementedError

    def predict(self, sample: Any, truth: torch.Tensor) -> torch.Tensor:
        """Predicted class indices of one sample.

        Args:
            sample (BaseDataElement): One output of ``val_step``/``test_step``.
            truth (torch.Tensor): The true classes (H, W), for their size.

        Returns:
            torch.Tensor: int64 class indices of shape (H, W).
        """
        raise NotImplementedError

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Add each sample's confusion matrix to the results.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[BaseDataElement]): Outputs of
                ``val_step``/``test_step`` with uint8 (3, H, W) fields.
        """
        name = type(self).__name__
        for sample in data_samples:
            label_map = get_field(sample, self.truth_field, name).cpu()
            truth = colors_to_labels(label_map, self.palette)
            prediction = self.predict(sample, truth)
            self.results.append(confusion_matrix(prediction, truth, self.num_classes))

    def compute_metrics(self, results: List[np.ndarray]) -> Dict[str, float]:
        """Scores of the summed confusion matrix; per-class figures go to the log.

        The log gets, per class, the IoU, the accuracy and the share of the
        pixels predicted as that class.

        Args:
            results (list[np.ndarray]): Per-sample (K, K) confusion matrices.

        Returns:
            dict[str, float]: Pixel accuracy, class accuracy and mean IoU,
            with ``bootstrap`` also their spreads.
        """
        confusion = np.sum(results, axis=0)
        hits = np.diag(confusion)
        true_counts, predicted_counts = confusion.sum(1), confusion.sum(0)
        # A class's accuracy (recall) is near the share of pixels predicted as
        # it when the maps are not aligned with the truth; side by side, the
        # two tell a misplaced class from a missing one.
        metric = f'{type(self).__name__}-{self.direction}'
        for title, values in (
            ('IoU', (hits, true_counts + predicted_counts - hits)),
            ('accuracy', (hits, true_counts)),
            (
                'share of the predicted pixels',
                (predicted_counts, [confusion.sum()] * len(hits)),
            ),
        ):
            per_class = ', '.join(
                f'{name} {part / whole:.3f}' if whole else f'{name} -'
                for name, part, whole in zip(self.class_names, *values)
            )
            print_log(f'{metric} {title} per class: {per_class}', logger='current')
        metrics = self._named_scores(confusion)
        if self.bootstrap:
            spread = bootstrap_std(
                lambda drawn: self._named_scores(drawn.sum(0)),
                (np.stack(results),),
                self.bootstrap,
            )
            metrics.update({f'{key}-bootstrap-std': std for key, std in spread.items()})
        return metrics

    def _named_scores(self, confusion: np.ndarray) -> Dict[str, float]:
        scores = segmentation_scores(confusion)
        tag, direction = self.key_prefix, self.direction
        return {
            f'{tag}PixelAcc-{direction}': scores['pixel_acc'],
            f'{tag}ClassAcc-{direction}': scores['class_acc'],
            f'{tag}mIoU-{direction}': scores['mean_iou'],
        }
