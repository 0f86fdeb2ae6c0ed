"""Label-map colour palettes, and how to derive one from JPEG label images."""

from typing import Dict, Iterable, List, Sequence, Tuple

import cv2
import numpy as np

# CMP Facade Database classes (Tyleček & Šára 2013), label ids 1..12 in order.
FACADES_CLASSES: Tuple[str, ...] = (
    'background',
    'facade',
    'window',
    'door',
    'cornice',
    'sill',
    'balcony',
    'blind',
    'deco',
    'molding',
    'pillar',
    'shop',
)

# RGB colour of each class in the pix2pix facades label images (right halves
# of ../shared/data/facades/*/*.jpg), from `derive_palette` over all 606 files
# (tests/test_evaluation/test_palettes.py re-derives it). The colours run along
# the jet colour map in class-id order; they were matched to names by that order
# and checked by eye (balconies yellow-green, windows light blue, ...).
FACADES_PALETTE: Tuple[Tuple[int, int, int], ...] = (
    (0, 0, 222),
    (0, 48, 255),
    (0, 128, 255),
    (1, 207, 255),
    (32, 255, 224),
    (112, 254, 142),
    (192, 255, 63),
    (255, 240, 1),
    (255, 159, 0),
    (255, 80, 0),
    (254, 0, 0),
    (174, 0, 1),
)

# Cityscapes' 19 training classes and their official colours
# (cityscapesScripts, labels.py, trainId 0..18), as the paper's FCN scores use.
CITYSCAPES_CLASSES: Tuple[str, ...] = (
    'road',
    'sidewalk',
    'building',
    'wall',
    'fence',
    'pole',
    'traffic light',
    'traffic sign',
    'vegetation',
    'terrain',
    'sky',
    'person',
    'rider',
    'car',
    'truck',
    'bus',
    'train',
    'motorcycle',
    'bicycle',
)
CITYSCAPES_PALETTE: Tuple[Tuple[int, int, int], ...] = (
    (128, 64, 128),
    (244, 35, 232),
    (70, 70, 70),
    (102, 102, 156),
    (190, 153, 153),
    (153, 153, 153),
    (250, 170, 30),
    (220, 220, 0),
    (107, 142, 35),
    (152, 251, 152),
    (70, 130, 180),
    (220, 20, 60),
    (255, 0, 0),
    (0, 0, 142),
    (0, 0, 70),
    (0, 60, 100),
    (0, 80, 100),
    (0, 0, 230),
    (119, 11, 32),
)

# Palettes selectable by name in metric configs.
PALETTES: Dict[str, Tuple[Tuple[str, ...], Tuple[Tuple[int, int, int], ...]]] = {
    'facades': (FACADES_CLASSES, FACADES_PALETTE),
    'cityscapes': (CITYSCAPES_CLASSES, CITYSCAPES_PALETTE),
}


def _flat_pixels(image: np.ndarray, max_std: float, window: int) -> np.ndarray:
    """Pixels inside uniform regions: JPEG ringing lives at region borders."""
    x = image.astype(np.float32)
    mean = cv2.blur(x, (window, window))
    var = cv2.blur(x * x, (window, window)) - mean * mean
    std = np.sqrt(np.clip(var, 0, None)).max(axis=-1)
    return image[std < max_std]


def derive_palette(
    label_images: Iterable[np.ndarray],
    num_colors: int,
    min_distance: int = 60,
    max_std: float = 3.0,
    window: int = 7,
) -> List[Tuple[int, int, int]]:
    """Recover the colours of JPEG-compressed label maps.

    1. Keep pixels whose ``window`` x ``window`` neighbourhood is flat (every
       channel's std < ``max_std``). 2. Take exact colours by frequency; a
       colour farther than ``min_distance`` (L1) from all chosen ones starts a
       new cluster, until ``num_colors``. 3. Each colour is then the per-channel
       median of the flat pixels nearest to it.

    Args:
        label_images (Iterable[np.ndarray]): RGB uint8 (H, W, 3) label maps.
        num_colors (int): Number of classes to find.
        min_distance (int): Smallest L1 distance between two class colours.
            Defaults to 60.
        max_std (float): Flatness threshold. Defaults to 3.0.
        window (int): Flatness window. Defaults to 7.

    Returns:
        list[tuple[int, int, int]]: Colours, most frequent first.

    Raises:
        ValueError: If fewer than ``num_colors`` distinct colours are found.
    """
    pixels = np.concatenate(
        [_flat_pixels(img, max_std, window) for img in label_images]
    ).astype(np.int64)
    codes, counts = np.unique(pixels @ np.array([65536, 256, 1]), return_counts=True)
    colors = np.stack([codes // 65536, codes // 256 % 256, codes % 256], axis=1)
    centers: List[np.ndarray] = []
    for index in np.argsort(-counts, kind='stable'):
        if all(np.abs(colors[index] - c).sum() > min_distance for c in centers):
            centers.append(colors[index])
            if len(centers) == num_colors:
                break
    if len(centers) < num_colors:
        raise ValueError(
            f'found only {len(centers)} colours at least {min_distance} apart, '
            f'but num_colors={num_colors}'
        )
    # Work on distinct colours with their counts: far fewer than pixels.
    nearest = np.abs(colors[:, None, :] - np.stack(centers)[None]).sum(-1).argmin(1)
    return [
        tuple(_weighted_median(colors[nearest == k], counts[nearest == k]))
        for k in range(num_colors)
    ]


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> List[int]:
    """Per-column median of rows of ``values`` repeated ``weights`` times."""
    medians = []
    for column in values.T:
        order = np.argsort(column, kind='stable')
        cumulative = np.cumsum(weights[order])
        medians.append(
            int(column[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
        )
    return medians


def palette_array(palette: Sequence[Sequence[int]]) -> np.ndarray:
    """A palette as an int64 (K, 3) array, checked.

    Args:
        palette (Sequence[Sequence[int]]): K RGB colours.

    Returns:
        np.ndarray: Shape (K, 3).

    Raises:
        ValueError: If it is not K >= 2 distinct RGB triples in [0, 255].
    """
    array = np.asarray(palette, dtype=np.int64)
    if array.ndim != 2 or array.shape[1] != 3 or len(array) < 2:
        raise ValueError(f'a palette is K >= 2 RGB triples, got shape {array.shape}')
    if (
        array.min() < 0
        or array.max() > 255
        or len(np.unique(array, axis=0)) != len(array)
    ):
        raise ValueError(f'palette colours must be distinct and in [0, 255]: {palette}')
    return array
