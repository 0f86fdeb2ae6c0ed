"""Randomly flip the images of a translation sample."""

from typing import Optional, Sequence, Union

import mmcv
from mmcv.transforms import RandomFlip

from cyclegan_plugin.registry import TRANSFORMS

from .keys import resolve_keys

__all__ = ['RandomFlipImages']


# Not TransformBroadcaster(RandomFlip): here each sample's `aligned` sets sharing.
@TRANSFORMS.register_module()
class RandomFlipImages(RandomFlip):
    """Flip each image with probability ``prob`` (horizontally by default).

    Extends :class:`mmcv.transforms.RandomFlip` (which flips ``results['img']``)
    to several image keys. The decision is shared by all keys when
    ``share_params`` is True, or, by default (None), when the sample is aligned
    (``results['aligned']``); unpaired images are flipped independently, as in
    the authors' code.

    Modified keys: the images in ``keys``. Added keys: ``flip_{key}`` (bool),
    ``flip_direction_{key}`` (str or None).

    Args:
        prob (float): Flip probability. Defaults to 0.5.
        keys (str | Sequence[str], optional): Images to flip.
            Defaults to None, meaning ``['img_A', 'img_B']``.
        direction (str | list[str]): ``'horizontal'``, ``'vertical'`` or
            ``'diagonal'``, or a list of them, as in mmcv's ``RandomFlip``.
            Defaults to ``'horizontal'``.
        share_params (bool, optional): Force or forbid one decision for all
            keys. Defaults to None (shared iff aligned).
    """

    def __init__(
        self,
        prob: float = 0.5,
        keys: Union[str, Sequence[str], None] = None,
        direction: Union[str, Sequence[str]] = 'horizontal',
        share_params: Optional[bool] = None,
    ) -> None:
        # mmcv's RandomFlip accepts only a float prob; 0 and 1 are valid too.
        if isinstance(prob, int) and not isinstance(prob, bool):
            prob = float(prob)
        super().__init__(prob=prob, direction=direction)
        self.keys = resolve_keys(keys)
        self.share_params = share_params

    def transform(self, results: dict) -> dict:
        """Flip the images.

        Args:
            results (dict): Holds (H, W, 3) arrays under ``keys``.

        Returns:
            dict: ``results`` with (possibly) flipped images.
        """
        share = self.share_params
        if share is None:
            share = bool(results.get('aligned', False))
        shared_direction = self._choose_direction() if share else None
        for key in self.keys:
            if key not in results:
                raise KeyError(f'RandomFlipImages: no {key!r} in the results; load it')
            direction = shared_direction if share else self._choose_direction()
            if direction is not None:
                results[key] = mmcv.imflip(results[key], direction=direction)
            results[f'flip_{key}'] = direction is not None
            results[f'flip_direction_{key}'] = direction
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(prob={self.prob}, keys={self.keys}, '
            f'direction={self.direction!r}, share_params={self.share_params})'
        )
