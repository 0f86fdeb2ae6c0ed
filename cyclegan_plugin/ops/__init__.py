"""The CPU fast path: Winograd and thin-channel convolutions, fused instance norm.

The kernels, the layers computed by them (:mod:`.layers`) and
:func:`convert_to_cpu_kernels`, which puts those layers into a network.

Also the process-wide allocator setting it relies on (:func:`keep_freed_cpu_memory`).
"""

from .conversion import convert_to_cpu_kernels
from .cpu_memory import keep_freed_cpu_memory
from .extension import load_cpu_ops
from .instance_norm import instance_norm_relu
from .layers import CPUKernelMixin, FusedInstanceNorm2d, ThinConv2d, WinogradConv2d
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
    'CPUKernelMixin',
    'FusedInstanceNorm2d',
    'PAD_MODES',
    'THIN_CHANNELS',
    'ThinConv2d',
    'WinogradConv2d',
    'convert_to_cpu_kernels',
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
