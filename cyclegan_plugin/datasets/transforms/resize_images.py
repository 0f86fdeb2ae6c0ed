"""Resize the images of a translation sample."""

from typing import Literal, Sequence, Tuple, Union

from mmcv.transforms import Resize, TransformBroadcaster

from cyclegan_plugin.registry import TRANSFORMS

from .keys import image_path, resolve_keys

__all__ = ['ResizeImages']

Interpolation = Literal['nearest', 'bilinear', 'bicubic', 'area', 'lanczos']


class _ScaleWidth(Resize):
    """mmcv's ``Resize`` to a fixed width, the height by the aspect ratio.

    The height is at least ``min_height`` (the authors' ``scale_width``);
    mmcv's ``keep_ratio`` fits the image into a box instead.

    Args:
        width (int): Output width.
        min_height (int): Lower bound of the output height.
        **kwargs: ``interpolation`` and ``backend`` of ``Resize``.
    """

    def __init__(self, width: int, min_height: int, **kwargs) -> None:
        super().__init__(scale=width, **kwargs)
        self.width = width
        self.min_height = min_height

    def transform(self, results: dict) -> dict:
        """Resize ``results['img']`` to this image's target size.

        Args:
            results (dict): Holds an (H, W, C) array under ``'img'``.

        Returns:
            dict: ``results`` with the resized image.
        """
        h, w = results['img'].shape[:2]
        height = max(int(round(self.width * h / w)), self.min_height)
        results['scale'] = (self.width, height)
        self._resize_img(results)
        return results


@TRANSFORMS.register_module()
class ResizeImages(TransformBroadcaster):
    """Resize each image to a fixed size, or to a fixed width.

    ``mode='fixed'`` is the authors' ``--preprocess resize_and_crop`` first step
    (286 x 286 for training, 256 x 256 for testing); ``mode='scale_width'`` is
    their ``scale_width``: the width becomes ``scale`` and the height keeps the
    aspect ratio, but is at least ``min_height`` so that a later crop fits.

    Each image goes through :class:`mmcv.transforms.Resize` (for
    ``'scale_width'`` with its target size computed per image), broadcast to
    the keys by :class:`mmcv.transforms.TransformBroadcaster`.

    Modified keys: the images in ``keys``.

    Args:
        scale (int | tuple[int, int]): For ``'fixed'``, the output size as an
            int (square) or ``(w, h)`` as in :class:`mmcv.transforms.Resize`;
            for ``'scale_width'``, the output width (an int).
        keys (str | Sequence[str], optional): Images to resize.
            Defaults to None, meaning ``['img_A', 'img_B']``.
        mode (str): ``'fixed'`` or ``'scale_width'``. Defaults to ``'fixed'``.
        min_height (int): Lower bound of the height in ``'scale_width'`` mode
            (the authors pass the crop size). Defaults to 0.
        interpolation (str): Defaults to ``'bicubic'``, as the authors.
        backend (str): ``'cv2'``, or ``'pillow'``, which anti-aliases when
            shrinking, exactly like the authors' PIL resize (it has no
            ``'area'``). Defaults to ``'cv2'``.
    """

    def __init__(
        self,
        scale: Union[int, Tuple[int, int]],
        keys: Union[str, Sequence[str], None] = None,
        mode: Literal['fixed', 'scale_width'] = 'fixed',
        min_height: int = 0,
        interpolation: Interpolation = 'bicubic',
        backend: Literal['cv2', 'pillow'] = 'cv2',
    ) -> None:
        if mode not in ('fixed', 'scale_width'):
            raise ValueError(f"mode must be 'fixed' or 'scale_width', got {mode!r}")
        if mode == 'scale_width' and not isinstance(scale, int):
            raise ValueError(
                f"mode='scale_width' takes an int width as scale, got {scale!r}"
            )
        size = (scale, scale) if isinstance(scale, int) else tuple(scale)
        if len(size) != 2 or min(size) <= 0:
            raise ValueError(f'scale must be a positive int or (w, h), got {scale!r}')
        if backend not in ('cv2', 'pillow'):
            raise ValueError(f"backend must be 'cv2' or 'pillow', got {backend!r}")
        keys = resolve_keys(keys)
        options = dict(interpolation=interpolation, backend=backend)
        resize = (
            Resize(scale=size, **options)
            if mode == 'fixed'
            else _ScaleWidth(scale, min_height, **options)
        )
        super().__init__(transforms=[resize], mapping={'img': keys}, auto_remap=True)
        self.scale = scale
        self.size: Tuple[int, int] = size  # (w, h)
        self.keys = keys
        self.mode = mode
        self.min_height = min_height
        self.interpolation = interpolation
        self.backend = backend

    def transform(self, results: dict) -> dict:
        """Resize the images.

        Args:
            results (dict): Holds (H, W, 3) uint8 arrays under ``keys``.

        Returns:
            dict: ``results`` with resized images.

        Raises:
            KeyError: If an image is missing (``TransformBroadcaster`` would
                pass None on), naming the file.
        """
        for key in self.keys:
            if key not in results:
                raise KeyError(
                    f'ResizeImages: no {key!r} in the results of '
                    f'{image_path(results, key)!r}; load it first'
                )
        return super().transform(results)

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(scale={self.scale}, keys={self.keys}, '
            f'mode={self.mode!r}, min_height={self.min_height}, '
            f'interpolation={self.interpolation!r}, backend={self.backend!r})'
        )
