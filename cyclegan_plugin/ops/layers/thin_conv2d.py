"""A drop-in ``nn.Conv2d`` computed by direct kernels when one side is thin (RGB)."""

import torch.nn.functional as F
from torch import Tensor, nn

from ..thin_conv import THIN_CHANNELS, thin_conv2d
from .cpu_kernel_mixin import CPUKernelMixin

__all__ = ['ThinConv2d']


class ThinConv2d(CPUKernelMixin, nn.Conv2d):
    """``nn.Conv2d`` (same parameters, same state_dict) for layers with an RGB side.

    On float32 CPU tensors, when the input or the output has at most four
    channels, the convolution runs as
    :func:`cyclegan_plugin.ops.thin_conv.thin_conv2d`: direct kernels that
    hold 16-24 output pixels in registers. For the ResNet generator's 7x7 head
    (64 -> 3 channels) it beats oneDNN, which has nothing to block over; for
    the 3 -> 64 stem, which oneDNN handles well, it does not
    (``docs/benchmarks.md``), so
    :func:`~cyclegan_plugin.ops.convert_to_cpu_kernels` uses it for thin
    outputs only. Elsewhere (GPUs, autocast, other dtypes, wider layers) it is
    ``nn.Conv2d`` (:class:`CPUKernelMixin`).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int | tuple): Up to 8 wide.
        stride (int): Must be 1. Defaults to 1.
        padding (int | tuple): Pixels added on each side. Defaults to 0.
        bias (bool): Whether to add a learned bias. Defaults to True.
        padding_mode (str): 'zeros', 'reflect', 'replicate' or 'circular'.
            Defaults to 'zeros'.
        **kwargs: Other ``nn.Conv2d`` arguments (``device``, ``dtype``);
            ``dilation`` and ``groups`` must stay 1.

    Raises:
        ValueError: For a geometry the kernels do not compute.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride: int = 1,
        padding=0,
        bias: bool = True,
        padding_mode: str = 'zeros',
        **kwargs,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            bias=bias,
            padding_mode=padding_mode,
            **kwargs,
        )
        problems = [
            f'{name}={value}'
            for name, value, ok in (
                ('kernel_size', self.kernel_size, self.kernel_size[1] <= 8),
                ('stride', self.stride, self.stride == (1, 1)),
                ('dilation', self.dilation, self.dilation == (1, 1)),
                ('groups', self.groups, self.groups == 1),
                ('padding', self.padding, not isinstance(self.padding, str)),
            )
            if not ok
        ]
        if problems:
            raise ValueError(
                'ThinConv2d computes convolutions up to 8 wide with stride 1, '
                'dilation 1, groups 1 and numeric padding, but got '
                f'{", ".join(problems)}; use nn.Conv2d for this layer.'
            )

    @property
    def thin(self) -> bool:
        """Whether a side has at most four channels (else this is ``nn.Conv2d``)."""
        return min(self.in_channels, self.out_channels) <= THIN_CHANNELS

    def kernel_applies(self, x: Tensor) -> bool:
        """Whether a side is thin enough for the direct kernels."""
        return self.thin

    def kernel_forward(self, x: Tensor) -> Tensor:
        """Convolve by the direct kernels.

        Args:
            x (Tensor): ``(N, in_channels, H, W)`` float32 on the CPU.

        Returns:
            Tensor: ``(N, out_channels, H', W')``, as ``nn.Conv2d`` gives.
        """
        if any(self.padding):
            mode = 'constant' if self.padding_mode == 'zeros' else self.padding_mode
            x = F.pad(x, self._reversed_padding_repeated_twice, mode=mode)
        return thin_conv2d(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return super().extra_repr() + ', direct kernels on CPU'
