"""LoadTranslationImage: reading both domains, real grayscale files included."""

import numpy as np
import pytest
from PIL import Image

from cyclegan_plugin.datasets.transforms import LoadTranslationImage
from cyclegan_plugin.registry import TRANSFORMS


def test_loads_both_keys_with_original_shapes(tmp_path, make_images):
    a = make_images(tmp_path / 'A', 1, size=(8, 10))[0]
    b = make_images(tmp_path / 'B', 1, size=(12, 6), seed=5)[0]
    out = TRANSFORMS.build(dict(type='LoadTranslationImage'))(
        dict(img_A_path=str(a), img_B_path=str(b))
    )
    assert out['img_A'].shape == (8, 10, 3) and out['img_B'].shape == (12, 6, 3)
    assert out['ori_shape_A'] == (8, 10) and out['ori_shape_B'] == (12, 6)


def test_single_key_and_bad_arguments(tmp_path, make_images):
    a = make_images(tmp_path, 1)[0]
    out = LoadTranslationImage(key='img_A')(dict(img_A_path=str(a)))
    assert 'img_A' in out and 'img_B' not in out
    with pytest.raises(ValueError, match='not both'):
        LoadTranslationImage(key='img_A', keys=['img_B'])
    with pytest.raises(KeyError, match='img_B_path'):
        LoadTranslationImage()(dict(img_A_path=str(a)))


@pytest.mark.realdata
def test_real_grayscale_zebras_become_rgb(horse2zebra):
    gray = [
        p
        for p in sorted((horse2zebra / 'trainB').iterdir())
        if p.suffix == '.jpg' and Image.open(p).mode == 'L'
    ]
    assert len(gray) == 7
    load = LoadTranslationImage(key='img_B')
    for path in gray:
        img = load(dict(img_B_path=str(path)))['img_B']
        assert img.shape == (256, 256, 3) and img.dtype == np.uint8
        assert (img[..., 0] == img[..., 1]).all() and (img[..., 1] == img[..., 2]).all()
