"""Split pix2pix-style "AB" files (two images side by side) into A and B."""

from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from cyclegan_plugin.registry import TRANSFORMS
from cyclegan_plugin.structures import Direction, check_direction

from .image_io import AlphaMode, imread_rgb

__all__ = ['LoadAlignedPair']


# mmcv has no loader that splits one file into two images.
@TRANSFORMS.register_module()
class LoadAlignedPair(BaseTransform):
    """Load an "AB" file and split it into ``img_A`` and ``img_B``.

    The left half of the file is A and the right half B for
    ``direction='AtoB'``; ``'BtoA'`` swaps them. The direction comes from
    ``results['direction']`` (set by
    :class:`~cyclegan_plugin.datasets.AlignedImageDataset`) and defaults to
    ``'AtoB'``.

    Required keys: ``img_path`` (the file giving A and, by default, B);
    optional ``img_path_B`` (another file whose B half becomes ``img_B``, for
    unpaired training on aligned data) and ``direction``.
    Added keys: ``img_A``, ``img_B`` (H, W, 3) uint8 RGB, ``img_A_path``,
    ``img_B_path``, ``ori_shape_A``, ``ori_shape_B``.

    Args:
        alpha (str): ``'drop'`` or ``'composite'``, see
            :class:`LoadTranslationImage`. Defaults to ``'drop'``.
        backend_args (dict, optional): MMEngine file backend arguments.
            Defaults to None.

    Raises:
        ValueError: If a file's width is odd (the halves would differ).
    """

    def __init__(self, alpha: AlphaMode = 'drop', backend_args: Optional[dict] = None):
        if alpha not in ('drop', 'composite'):
            raise ValueError(f"alpha must be 'drop' or 'composite', but got {alpha!r}")
        self.alpha = alpha
        self.backend_args = backend_args

    def _split(self, path: str, direction: Direction) -> Tuple[np.ndarray, np.ndarray]:
        """Read an AB file and return its (A, B) halves, each (H, W / 2, 3)."""
        img = imread_rgb(path, self.alpha, self.backend_args)
        w = img.shape[1]
        if w % 2:
            raise ValueError(
                f'Aligned image {path!r} has an odd width {w}: it must hold two '
                'images of equal width side by side (A left, B right).'
            )
        left = np.ascontiguousarray(img[:, : w // 2])
        right = np.ascontiguousarray(img[:, w // 2 :])
        return (left, right) if direction == 'AtoB' else (right, left)

    def transform(self, results: dict) -> dict:
        """Load and split.

        Args:
            results (dict): Must hold ``img_path``.

        Returns:
            dict: ``results`` with both images, their paths and shapes.
        """
        direction = check_direction(results.get('direction', 'AtoB'))
        path_a = results['img_path']
        path_b = results.get('img_path_B', path_a)
        img_a, img_b = self._split(path_a, direction)
        if path_b != path_a:
            img_b = self._split(path_b, direction)[1]
        results.update(
            img_A=img_a,
            img_B=img_b,
            img_A_path=path_a,
            img_B_path=path_b,
            ori_shape_A=img_a.shape[:2],
            ori_shape_B=img_b.shape[:2],
        )
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(alpha={self.alpha!r})'
