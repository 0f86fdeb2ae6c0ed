"""Randomly crop the images of a translation sample."""

from typing import Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from cyclegan_plugin.registry import TRANSFORMS

from .keys import image_path, resolve_keys

__all__ = ['RandomCropImages']


# mmcv has no RandomCrop; whether A and B share the window follows `aligned`.
@TRANSFORMS.register_module()
class RandomCropImages(BaseTransform):
    """Crop a random window of a fixed size from each image.

    The window is the same for all keys when the parameters are shared:
    ``share_params=None`` (default) shares them exactly when the sample is
    aligned (``results['aligned']``), so that a photo and its ground truth stay
    pixel-aligned, and draws them independently for unpaired samples, as the
    authors' code does.

    Modified keys: the images in ``keys``. Added keys: ``crop_bbox_{key}``
    ``(x1, y1, x2, y2)``.

    Args:
        crop_size (int | tuple[int, int]): Output size, an int (square) or
            ``(w, h)`` as in :class:`mmcv.transforms.CenterCrop`.
        keys (str | Sequence[str], optional): Images to crop.
            Defaults to None, meaning ``['img_A', 'img_B']``.
        share_params (bool, optional): Force (True) or forbid (False) one
            window for all keys. Defaults to None (shared iff aligned).

    Raises:
        ValueError: If an image is smaller than the crop, naming the file, its
            size and the crop size.
    """

    def __init__(
        self,
        crop_size: Union[int, Tuple[int, int]],
        keys: Union[str, Sequence[str], None] = None,
        share_params: Optional[bool] = None,
    ) -> None:
        size = (crop_size, crop_size) if isinstance(crop_size, int) else crop_size
        if len(size) != 2 or min(size) <= 0:
            raise ValueError(
                f'crop_size must be a positive int or (w, h), got {crop_size!r}'
            )
        self.crop_size = crop_size
        self.crop_w, self.crop_h = int(size[0]), int(size[1])
        self.keys = resolve_keys(keys)
        self.share_params = share_params

    def _check_fits(self, results: dict, key: str) -> Tuple[int, int]:
        if key not in results:
            raise KeyError(
                f'RandomCropImages: no {key!r} in the results of '
                f'{image_path(results, key)!r}; load it first'
            )
        h, w = results[key].shape[:2]
        if h < self.crop_h or w < self.crop_w:
            raise ValueError(
                f'Cannot crop {self.crop_w}x{self.crop_h} (w x h) from '
                f'{image_path(results, key)!r} ({key}), which is {w}x{h} (w x h). '
                'Resize it first, e.g. put '
                f"dict(type='ResizeImages', scale={max(self.crop_w, self.crop_h)}) "
                'before the crop in the pipeline, or lower crop_size.'
            )
        return h, w

    @cache_randomness
    def _random_offset(self, h: int, w: int) -> Tuple[int, int]:
        return (
            int(np.random.randint(0, h - self.crop_h + 1)),
            int(np.random.randint(0, w - self.crop_w + 1)),
        )

    def transform(self, results: dict) -> dict:
        """Crop the images.

        Args:
            results (dict): Holds (H, W, 3) arrays under ``keys``.

        Returns:
            dict: ``results`` with (crop_h, crop_w, 3) images.
        """
        shapes = {key: self._check_fits(results, key) for key in self.keys}
        share = self.share_params
        if share is None:
            share = bool(results.get('aligned', False))
        if share and len(set(shapes.values())) > 1:
            raise ValueError(
                'RandomCropImages with shared parameters needs images of one size, '
                f'got {shapes} for {image_path(results, self.keys[0])!r}; resize '
                'them to one size first.'
            )
        offset = self._random_offset(*shapes[self.keys[0]]) if share else None
        for key in self.keys:
            y, x = offset if share else self._random_offset(*shapes[key])
            results[key] = results[key][y : y + self.crop_h, x : x + self.crop_w]
            results[f'crop_bbox_{key}'] = (x, y, x + self.crop_w, y + self.crop_h)
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(crop_size={self.crop_size}, '
            f'keys={self.keys}, share_params={self.share_params})'
        )
