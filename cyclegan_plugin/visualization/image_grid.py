"""Tile batches of images into one picture: one row per sample, one column per field."""

from typing import Sequence

import numpy as np
import torch


def make_grid(
    columns: Sequence[torch.Tensor], pad: int = 2, pad_value: int = 255
) -> np.ndarray:
    """Place ``columns[j][i]`` at row i, column j, with ``pad`` pixels between.

    Args:
        columns (Sequence[torch.Tensor]): uint8 batches, each (N, 3, H, W) with
            the same shape (e.g. real_A, fake_B, rec_A).
        pad (int): Gap between tiles, in pixels. Defaults to 2.
        pad_value (int): Gap colour (0-255). Defaults to 255 (white).

    Returns:
        np.ndarray: The RGB grid, uint8 of shape (N*H + (N-1)*pad,
        J*W + (J-1)*pad, 3).

    Raises:
        ValueError: If there is no column or the columns differ in shape.
        TypeError: If a column is not uint8.
    """
    if not columns:
        raise ValueError('make_grid needs at least one column')
    shapes = {tuple(column.shape) for column in columns}
    if len(shapes) != 1 or len(next(iter(shapes))) != 4:
        raise ValueError(
            f'columns must share one (N, 3, H, W) shape, but got {sorted(shapes)}'
        )
    if any(column.dtype != torch.uint8 for column in columns):
        raise TypeError(
            f'columns must be uint8, but got {[column.dtype for column in columns]}'
        )
    num, channels, height, width = columns[0].shape
    grid = torch.full(
        (channels, num * (height + pad) - pad, len(columns) * (width + pad) - pad),
        pad_value,
        dtype=torch.uint8,
    )
    for j, column in enumerate(columns):
        for i, image in enumerate(column.cpu()):
            top, left = i * (height + pad), j * (width + pad)
            grid[:, top : top + height, left : left + width] = image
    return np.ascontiguousarray(grid.permute(1, 2, 0).numpy())
