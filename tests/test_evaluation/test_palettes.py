import cv2
import numpy as np
import pytest
from PIL import Image

from cyclegan_plugin.evaluation import FACADES_CLASSES, FACADES_PALETTE, derive_palette
from cyclegan_plugin.evaluation.palettes import palette_array


def jpeg(image: np.ndarray, quality: int = 75) -> np.ndarray:
    _, buffer = cv2.imencode(
        '.jpg', image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    return cv2.imdecode(buffer, cv2.IMREAD_COLOR)[..., ::-1]


def test_recovers_colours_of_jpeg_compressed_label_maps():
    palette = np.array(
        [[0, 0, 170], [0, 85, 255], [255, 170, 0], [170, 0, 0]], np.uint8
    )
    rng = np.random.default_rng(0)
    maps = []
    for _ in range(6):
        classes = np.zeros((64, 64), np.int64)
        for k in (1, 2, 3):  # a rectangle per class, as facades have
            top, left = rng.integers(0, 40, 2)
            classes[top : top + 24, left : left + 12] = k
        maps.append(jpeg(palette[classes]))
    derived = np.array(derive_palette(maps, 4))
    for colour in palette:
        assert np.abs(derived - colour.astype(int)).sum(1).min() <= 6


@pytest.mark.realdata
def test_facades_palette_rederived_from_the_data(facades):
    files = sorted((facades / 'test').glob('*.jpg'))[:30]
    # The right half of each pix2pix "AB" file is the label map.
    labels = [np.asarray(Image.open(f).convert('RGB'))[:, 256:] for f in files]
    assert sorted(derive_palette(labels, 12)) == sorted(FACADES_PALETTE)
    assert len(FACADES_CLASSES) == 12 and FACADES_CLASSES[0] == 'background'


def test_palette_checks():
    assert palette_array([[0, 0, 0], [1, 2, 3]]).shape == (2, 3)
    for bad in (
        [[0, 0, 0]],
        [[0, 0, 0], [0, 0, 0]],
        [[0, 0, 300], [0, 0, 0]],
        [[1, 2], [3, 4]],
    ):
        with pytest.raises(ValueError):
            palette_array(bad)
    with pytest.raises(ValueError, match='found only'):
        derive_palette([np.zeros((16, 16, 3), np.uint8)], 2)
