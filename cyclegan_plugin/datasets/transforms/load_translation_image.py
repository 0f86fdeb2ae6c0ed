"""Load one image per domain from ``results['img_A_path']`` etc."""

from typing import Optional, Sequence, Union

from mmcv.transforms import BaseTransform

from cyclegan_plugin.registry import TRANSFORMS

from .image_io import AlphaMode, imread_rgb
from .keys import domain_of, resolve_keys

__all__ = ['LoadTranslationImage']


# Not LoadImageFromFile: image_io decodes 16-bit/palette/alpha, names bad files.
@TRANSFORMS.register_module()
class LoadTranslationImage(BaseTransform):
    """Read image files into HWC uint8 RGB arrays.

    For each key ``k`` (``'img_A'``, ``'img_B'``), reads ``results[f'{k}_path']``
    with OpenCV's ``IMREAD_UNCHANGED`` and converts it to 3-channel uint8 RGB
    (grayscale, palette, RGBA and 16-bit files included; see
    :mod:`cyclegan_plugin.datasets.transforms.image_io`).

    Required keys: ``{k}_path``. Added keys: ``k`` (H, W, 3) uint8 RGB,
    ``ori_shape_{domain}`` ``(h, w)``, e.g. ``ori_shape_A``.

    Args:
        keys (str | Sequence[str], optional): Image keys to load.
            Defaults to None, meaning ``['img_A', 'img_B']``.
        key (str, optional): A single key instead of ``keys``. Defaults to None.
        alpha (str): ``'drop'`` the alpha channel (as the authors' PIL
            ``convert('RGB')``) or ``'composite'`` onto white.
            Defaults to ``'drop'``.
        backend_args (dict, optional): MMEngine file backend arguments.
            Defaults to None.

    Raises:
        FileNotFoundError: If a file is missing.
        CorruptImageError: (an ``OSError``) if a file cannot be decoded; the
            message names the file.
    """

    def __init__(
        self,
        keys: Union[str, Sequence[str], None] = None,
        key: Optional[str] = None,
        alpha: AlphaMode = 'drop',
        backend_args: Optional[dict] = None,
    ) -> None:
        if alpha not in ('drop', 'composite'):
            raise ValueError(f"alpha must be 'drop' or 'composite', but got {alpha!r}")
        self.keys = resolve_keys(keys, key)
        self.alpha = alpha
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Load each image.

        Args:
            results (dict): Must hold ``f'{key}_path'`` for every key.

        Returns:
            dict: ``results`` with the images and their original shapes.
        """
        for key in self.keys:
            path_key = f'{key}_path'
            if path_key not in results:
                raise KeyError(
                    f'LoadTranslationImage needs results[{path_key!r}]; the '
                    f'item has keys {sorted(results)}'
                )
            img = imread_rgb(results[path_key], self.alpha, self.backend_args)
            results[key] = img
            results[f'ori_shape_{domain_of(key)}'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(keys={self.keys}, alpha={self.alpha!r}, '
            f'backend_args={self.backend_args})'
        )
