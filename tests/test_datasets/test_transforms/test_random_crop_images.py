"""RandomCropImages: sizes, shared windows for aligned pairs, the too-large error."""

import numpy as np
import pytest

from cyclegan_plugin.datasets.transforms import RandomCropImages


def _ramp(h, w):
    """An image whose pixels encode their position."""
    ys, xs = np.mgrid[0:h, 0:w]
    return np.stack([ys, xs, np.zeros_like(ys)], -1).astype(np.uint8)


def test_crop_size_and_content():
    np.random.seed(0)
    img = _ramp(20, 30)
    out = RandomCropImages(crop_size=(8, 5))(dict(img_A=img.copy(), img_B=img.copy()))
    assert out['img_A'].shape == (5, 8, 3)
    x1, y1, x2, y2 = out['crop_bbox_img_A']
    np.testing.assert_array_equal(out['img_A'], img[y1:y2, x1:x2])


def test_aligned_samples_share_the_window_unpaired_do_not():
    np.random.seed(1)
    crop = RandomCropImages(crop_size=4)
    img = _ramp(40, 40)
    shared = [crop(dict(img_A=img, img_B=img, aligned=True)) for _ in range(10)]
    assert all(s['crop_bbox_img_A'] == s['crop_bbox_img_B'] for s in shared)
    unpaired = [crop(dict(img_A=img, img_B=img)) for _ in range(10)]
    assert any(s['crop_bbox_img_A'] != s['crop_bbox_img_B'] for s in unpaired)
    forced = RandomCropImages(crop_size=4, share_params=True)
    out = forced(dict(img_A=img, img_B=img))
    assert out['crop_bbox_img_A'] == out['crop_bbox_img_B']


def test_crop_larger_than_image_names_path_sizes_and_fix():
    sample = dict(img_A=_ramp(10, 12), img_B=_ramp(40, 40), img_A_path='a/horse.jpg')
    with pytest.raises(ValueError) as info:
        RandomCropImages(crop_size=16)(sample)
    message = str(info.value)
    assert 'a/horse.jpg' in message and '12x10' in message and '16x16' in message
    assert 'Resize' in message and 'randrange' not in message


def test_shared_window_needs_equal_sizes():
    sample = dict(img_A=_ramp(10, 10), img_B=_ramp(12, 12), aligned=True)
    with pytest.raises(ValueError, match='one size'):
        RandomCropImages(crop_size=4)(sample)
