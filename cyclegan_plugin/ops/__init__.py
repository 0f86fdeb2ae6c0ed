"""Custom operators: Winograd F(4x4, 3x3) convolution for CPUs."""

from .winograd import (
    PAD_MODES,
    load_winograd_ops,
    reuse_transformed_weights,
    reusing_transformed_weights,
    winograd_conv2d,
    winograd_weight,
)

__all__ = [
    'PAD_MODES',
    'load_winograd_ops',
    'reuse_transformed_weights',
    'reusing_transformed_weights',
    'winograd_conv2d',
    'winograd_weight',
]
