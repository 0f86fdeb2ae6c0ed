import numpy as np
import pytest
import torch

from cyclegan_plugin.visualization import make_grid


def test_rows_are_samples_columns_are_fields():
    real = torch.zeros(2, 3, 4, 5, dtype=torch.uint8)
    fake = torch.full((2, 3, 4, 5), 100, dtype=torch.uint8)
    fake[1] = 200
    grid = make_grid([real, fake], pad=1, pad_value=7)
    assert grid.shape == (2 * 4 + 1, 2 * 5 + 1, 3) and grid.dtype == np.uint8
    assert (grid[:4, :5] == 0).all() and (grid[5:, :5] == 0).all()
    assert (grid[:4, 6:] == 100).all() and (grid[5:, 6:] == 200).all()
    assert (grid[4] == 7).all() and (grid[:, 5] == 7).all()


def test_channel_order_kept():
    image = torch.zeros(1, 3, 2, 2, dtype=torch.uint8)
    image[:, 0] = 255  # red
    assert make_grid([image])[0, 0].tolist() == [255, 0, 0]


def test_rejects_mixed_shapes_and_floats():
    with pytest.raises(ValueError, match='share one'):
        make_grid(
            [
                torch.zeros(1, 3, 4, 4, dtype=torch.uint8),
                torch.zeros(1, 3, 8, 8, dtype=torch.uint8),
            ]
        )
    with pytest.raises(TypeError, match='uint8'):
        make_grid([torch.zeros(1, 3, 4, 4)])
    with pytest.raises(ValueError, match='at least one'):
        make_grid([])
