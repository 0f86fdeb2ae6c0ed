"""ResizeImages: fixed size, scale_width, argument checks."""

import numpy as np
import pytest

from cyclegan_plugin.datasets.transforms import ResizeImages
from cyclegan_plugin.registry import TRANSFORMS


def _sample(shape_a=(10, 20), shape_b=(30, 30)):
    return dict(
        img_A=np.full((*shape_a, 3), 100, np.uint8),
        img_B=np.full((*shape_b, 3), 50, np.uint8),
    )


def test_fixed_size_square_and_w_h():
    out = TRANSFORMS.build(dict(type='ResizeImages', scale=8))(_sample())
    assert out['img_A'].shape == out['img_B'].shape == (8, 8, 3)
    assert out['img_A'].dtype == np.uint8 and (out['img_A'] == 100).all()
    out = ResizeImages(scale=(12, 6))(_sample())  # (w, h), as mmcv's Resize
    assert out['img_A'].shape == (6, 12, 3)


def test_scale_width_keeps_ratio_with_min_height():
    out = ResizeImages(scale=10, mode='scale_width')(_sample())
    assert out['img_A'].shape == (5, 10, 3) and out['img_B'].shape == (10, 10, 3)
    out = ResizeImages(scale=10, mode='scale_width', min_height=8)(_sample())
    assert out['img_A'].shape == (8, 10, 3)


def test_only_listed_keys_and_errors():
    out = ResizeImages(scale=4, keys=['img_B'])(_sample())
    assert out['img_A'].shape == (10, 20, 3) and out['img_B'].shape == (4, 4, 3)
    with pytest.raises(ValueError, match='int width'):
        ResizeImages(scale=(4, 5), mode='scale_width')
    with pytest.raises(ValueError, match='mode'):
        ResizeImages(scale=4, mode='stretch')
    with pytest.raises(KeyError, match='img_B'):
        ResizeImages(scale=4)(dict(img_A=np.zeros((2, 2, 3), np.uint8)))
