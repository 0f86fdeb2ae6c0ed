"""The CPU fast path: Winograd and thin-channel convolutions, fused instance norm.

Also the process-wide allocator setting it relies on (:func:`keep_freed_cpu_memory`).
"""

from .cpu_memory import keep_freed_cpu_memory
from .extension import load_cpu_ops
from .instance_norm import instance_norm_relu
from .thin_conv import THIN_CHANNELS, thin_conv2d
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
    'THIN_CHANNELS',
    'instance_norm_relu',
    'keep_freed_cpu_memory',
    'load_cpu_ops',
    'load_winograd_ops',
    'reuse_transformed_weights',
    'reusing_transformed_weights',
    'thin_conv2d',
    'winograd_conv2d',
    'winograd_weight',
]
