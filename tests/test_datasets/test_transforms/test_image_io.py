"""Decoding every legitimate kind of image to RGB, and failing on broken ones."""

import cv2
import numpy as np
import pytest
from PIL import Image

from cyclegan_plugin.datasets.transforms import CorruptImageError, imread_rgb


def test_color_png_comes_back_rgb(tmp_path):
    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[..., 0] = 200  # red
    cv2.imwrite(str(tmp_path / 'red.png'), rgb[..., ::-1])
    out = imread_rgb(str(tmp_path / 'red.png'))
    assert out.shape == (4, 6, 3) and out.dtype == np.uint8
    assert (out[..., 0] == 200).all() and (out[..., 1:] == 0).all()


def test_grayscale_becomes_three_equal_channels(tmp_path):
    gray = np.arange(24, dtype=np.uint8).reshape(4, 6) * 10
    cv2.imwrite(str(tmp_path / 'g.png'), gray)
    out = imread_rgb(str(tmp_path / 'g.png'))
    assert out.shape == (4, 6, 3)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], gray)


def test_rgba_alpha_dropped_or_composited(tmp_path):
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 2] = 255  # blue
    rgba[0, 0, 3] = 255  # one opaque pixel, the rest transparent
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'a.png')
    dropped = imread_rgb(str(tmp_path / 'a.png'))
    assert dropped.shape == (2, 2, 3)
    assert (dropped == [0, 0, 255]).all()
    composited = imread_rgb(str(tmp_path / 'a.png'), alpha='composite')
    assert (composited[0, 0] == [0, 0, 255]).all()
    assert (composited[1, 1] == [255, 255, 255]).all()


def test_sixteen_bit_scaled_to_eight(tmp_path):
    img16 = np.array([[0, 257 * 100, 65535]], np.uint16)
    cv2.imwrite(str(tmp_path / 'd.png'), img16)
    out = imread_rgb(str(tmp_path / 'd.png'))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[0, :, 0], [0, 100, 255])


def test_palette_expanded_to_its_colors(tmp_path):
    palette_img = Image.new('P', (3, 2))
    palette_img.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    palette_img.putpixel((1, 0), 1)
    palette_img.save(tmp_path / 'p.png')
    out = imread_rgb(str(tmp_path / 'p.png'))
    assert (out[0, 0] == [255, 0, 0]).all()
    assert (out[0, 1] == [0, 255, 0]).all()


def test_corrupt_truncated_and_empty_files_name_the_path(tmp_path):
    good = tmp_path / 'good.jpg'
    cv2.imwrite(str(good), np.full((32, 32, 3), 128, np.uint8))
    data = good.read_bytes()
    (tmp_path / 'trunc.jpg').write_bytes(data[: len(data) * 2 // 3])
    (tmp_path / 'garbage.png').write_bytes(b'this is not an image')
    (tmp_path / 'empty.png').write_bytes(b'')
    for name in ('trunc.jpg', 'garbage.png', 'empty.png'):
        with pytest.raises(CorruptImageError, match=name):
            imread_rgb(str(tmp_path / name))
    assert issubclass(CorruptImageError, OSError)


def test_missing_file_and_float_image(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.png'):
        imread_rgb(str(tmp_path / 'nope.png'))
    cv2.imwrite(str(tmp_path / 'f.tiff'), np.zeros((2, 2, 3), np.float32))
    with pytest.raises(ValueError, match='float32'):
        imread_rgb(str(tmp_path / 'f.tiff'))
