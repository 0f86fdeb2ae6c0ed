"""RandomFlipImages: probability, shared decisions for aligned pairs."""

import numpy as np

from cyclegan_plugin.datasets.transforms import RandomFlipImages
from cyclegan_plugin.registry import TRANSFORMS


def _sample(**extra):
    img = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    return dict(img_A=img.copy(), img_B=img.copy(), **extra)


def test_always_and_never():
    img = _sample()['img_A']
    out = RandomFlipImages(prob=1)(_sample())
    np.testing.assert_array_equal(out['img_A'], img[:, ::-1])
    assert out['flip_img_A'] and out['flip_direction_img_B'] == 'horizontal'
    out = RandomFlipImages(prob=0.0)(_sample())
    np.testing.assert_array_equal(out['img_B'], img)
    assert not out['flip_img_B']


def test_aligned_shares_the_decision_unpaired_draws_each():
    np.random.seed(0)
    flip = TRANSFORMS.build(dict(type='RandomFlipImages'))
    aligned = [flip(_sample(aligned=True)) for _ in range(20)]
    assert all(s['flip_img_A'] == s['flip_img_B'] for s in aligned)
    assert {s['flip_img_A'] for s in aligned} == {True, False}
    unpaired = [flip(_sample()) for _ in range(20)]
    assert any(s['flip_img_A'] != s['flip_img_B'] for s in unpaired)
