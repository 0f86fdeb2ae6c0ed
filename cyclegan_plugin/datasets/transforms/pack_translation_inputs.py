"""Pack a translation sample into model inputs and a data sample."""

from typing import Sequence, Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import BaseDataElement

from cyclegan_plugin.registry import TRANSFORMS

from .keys import image_path, resolve_keys

__all__ = ['PackTranslationInputs']

DEFAULT_META_KEYS = (
    'img_A_path',
    'img_B_path',
    'ori_shape_A',
    'ori_shape_B',
    'aligned',
    'sample_idx',
)


# mmcv has no transform packing a dict of inputs (mmdet/mmseg: per-task ones).
@TRANSFORMS.register_module()
class PackTranslationInputs(BaseTransform):
    """End every pipeline: images to tensors, the rest to metainfo.

    Returns (the contract of ``docs/design.md``)::

        dict(inputs=dict(img_A=Tensor(3, H, W) uint8, img_B=...),
             data_samples=BaseDataElement(metainfo=dict(img_A_path=...,
                 img_B_path=..., ori_shape_A=(h, w), ori_shape_B=(h, w),
                 aligned=bool, sample_idx=int)))

    Meta keys missing from the results are left out; ``aligned`` defaults to
    False because only datasets with ground truth set it.

    Args:
        keys (str | Sequence[str], optional): Images to pack. Defaults to None,
            meaning ``['img_A', 'img_B']``.
        meta_keys (Sequence[str]): Results copied into the metainfo.
            Defaults to ``DEFAULT_META_KEYS``.

    Raises:
        KeyError: If an image key is missing.
        ValueError: If an image is not (H, W, 3) uint8.
    """

    def __init__(
        self,
        keys: Union[str, Sequence[str], None] = None,
        meta_keys: Sequence[str] = DEFAULT_META_KEYS,
    ) -> None:
        self.keys = resolve_keys(keys)
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack.

        Args:
            results (dict): Holds (H, W, 3) uint8 RGB arrays under ``keys``.

        Returns:
            dict: ``inputs`` (dict of (3, H, W) uint8 tensors) and
            ``data_samples`` (a :class:`BaseDataElement`).
        """
        inputs = {}
        for key in self.keys:
            if key not in results:
                raise KeyError(
                    f'PackTranslationInputs: no {key!r} in the results of '
                    f'{image_path(results, key)!r}; keys present: {sorted(results)}'
                )
            img = results[key]
            if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
                raise ValueError(
                    f'PackTranslationInputs: {key!r} of {image_path(results, key)!r} '
                    f'must be (H, W, 3) uint8 RGB, got {img.shape} {img.dtype}'
                )
            inputs[key] = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        metainfo = {k: results[k] for k in self.meta_keys if k in results}
        metainfo.setdefault('aligned', False)
        return dict(inputs=inputs, data_samples=BaseDataElement(metainfo=metainfo))

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(keys={self.keys}, meta_keys={self.meta_keys})'
        )
