"""Fixtures for the dataset tests: tiny image folders."""

from pathlib import Path
from typing import Callable, List

import cv2
import numpy as np
import pytest


def _write_rgb(path: Path, rgb: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]))
    return path


@pytest.fixture
def write_rgb() -> Callable[[Path, np.ndarray], Path]:
    """``write_rgb(path, rgb)``: write an (H, W, 3) uint8 RGB array losslessly."""
    return _write_rgb


@pytest.fixture
def make_images() -> Callable[..., List[Path]]:
    """``make_images(folder, count, size=(h, w), ext='.png', seed=0)``: random RGB."""

    def make(folder: Path, count: int, size=(16, 20), ext='.png', seed=0):
        rng = np.random.default_rng(seed)
        return [
            _write_rgb(
                folder / f'{i:03d}{ext}',
                rng.integers(0, 256, (*size, 3), dtype=np.uint8),
            )
            for i in range(count)
        ]

    return make


@pytest.fixture
def unpaired_root(tmp_path: Path, make_images) -> Path:
    """A tiny CycleGAN layout: 3 trainA, 5 trainB, 2 testA, 2 testB PNGs."""
    make_images(tmp_path / 'trainA', 3, seed=1)
    make_images(tmp_path / 'trainB', 5, seed=2)
    make_images(tmp_path / 'testA', 2, seed=3)
    make_images(tmp_path / 'testB', 2, seed=4)
    return tmp_path
