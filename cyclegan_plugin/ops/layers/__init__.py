"""PyTorch layers computed by the plugin's CPU kernels, with PyTorch's parameters."""

from .cpu_kernel_mixin import CPUKernelMixin, autocast_on
from .fused_instance_norm import FusedInstanceNorm2d
from .thin_conv2d import ThinConv2d
from .winograd_conv2d import WinogradConv2d

__all__ = [
    'CPUKernelMixin',
    'FusedInstanceNorm2d',
    'ThinConv2d',
    'WinogradConv2d',
    'autocast_on',
]
