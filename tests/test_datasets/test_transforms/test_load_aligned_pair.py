"""LoadAlignedPair: splitting AB files, both directions, another file's B."""

import numpy as np
import pytest

from cyclegan_plugin.datasets.transforms import LoadAlignedPair


def _ab_file(tmp_path, write_rgb, name, left_value, right_value, width=8):
    ab = np.zeros((4, width, 3), np.uint8)
    ab[:, : width // 2] = left_value
    ab[:, width // 2 :] = right_value
    return str(write_rgb(tmp_path / name, ab))


def test_split_both_directions(tmp_path, write_rgb):
    path = _ab_file(tmp_path, write_rgb, 'ab.png', 10, 200)
    out = LoadAlignedPair()(dict(img_path=path))
    assert out['img_A'].shape == (4, 4, 3) and (out['img_A'] == 10).all()
    assert (out['img_B'] == 200).all()
    assert out['img_A_path'] == out['img_B_path'] == path
    assert out['ori_shape_A'] == out['ori_shape_B'] == (4, 4)
    swapped = LoadAlignedPair()(dict(img_path=path, direction='BtoA'))
    assert (swapped['img_A'] == 200).all() and (swapped['img_B'] == 10).all()


def test_b_from_another_file(tmp_path, write_rgb):
    first = _ab_file(tmp_path, write_rgb, '1.png', 10, 20)
    second = _ab_file(tmp_path, write_rgb, '2.png', 30, 40)
    out = LoadAlignedPair()(dict(img_path=first, img_path_B=second))
    assert (out['img_A'] == 10).all() and (out['img_B'] == 40).all()
    assert out['img_B_path'] == second


def test_odd_width_and_bad_direction(tmp_path, write_rgb):
    odd = _ab_file(tmp_path, write_rgb, 'odd.png', 1, 2, width=7)
    with pytest.raises(ValueError, match='odd width 7'):
        LoadAlignedPair()(dict(img_path=odd))
    with pytest.raises(ValueError, match='direction'):
        LoadAlignedPair()(dict(img_path=odd, direction='sideways'))


@pytest.mark.realdata
def test_real_facades_file(facades):
    path = str(sorted((facades / 'val').glob('*.jpg'))[0])
    out = LoadAlignedPair()(dict(img_path=path))
    assert out['img_A'].shape == out['img_B'].shape == (256, 256, 3)
    assert _texture(out['img_A']) > 2 * _texture(out['img_B'])


def _texture(img: np.ndarray) -> float:
    """Mean horizontal gradient: high for photos, low for flat label maps."""
    return float(np.abs(np.diff(img.astype(np.int16), axis=1)).mean())
