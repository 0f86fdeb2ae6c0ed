"""A drop-in ``nn.Conv2d`` whose 3x3 stride-1 convolutions use Winograd on CPUs."""

from typing import Union

from torch import Tensor, nn

from ..winograd import PAD_MODES, reusing_transformed_weights, winograd_conv2d
from .cpu_kernel_mixin import CPUKernelMixin

__all__ = ['WinogradConv2d']


class WinogradConv2d(CPUKernelMixin, nn.Conv2d):
    """``nn.Conv2d`` (same parameters, same state_dict) computed by Winograd F(4, 3).

    On float32 CPU tensors the convolution runs as
    :func:`cyclegan_plugin.ops.winograd_conv2d`: 4x fewer multiplications
    (the speed-ups are in ``docs/benchmarks.md``), equal to ``nn.Conv2d`` up
    to float32 rounding. Elsewhere, i.e. on GPUs (where
    cuDNN chooses Winograd by itself), under autocast, or for other dtypes,
    it is ``nn.Conv2d`` (:class:`CPUKernelMixin`). Weights, checkpoints and
    initialisation are those of ``nn.Conv2d``, so a model trains with one and
    translates with the other.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Must be 3.
        stride (int): Must be 1. Defaults to 1.
        padding (int): 0, 1 or 2 on every side. Defaults to 0.
        bias (bool): Whether to add a learned bias. Defaults to True.
        padding_mode (str): 'zeros', 'reflect' or 'replicate'. Defaults to
            'zeros'.
        **kwargs: Other ``nn.Conv2d`` arguments (``device``, ``dtype``);
            ``dilation`` and ``groups`` must stay 1.

    Raises:
        ValueError: For a geometry Winograd F(4, 3) does not compute (another
            kernel size, stride, dilation, groups or padding).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: Union[int, tuple] = 0,
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
        pads = set(self.padding) if not isinstance(self.padding, str) else None
        problems = [
            f'{name}={value}'
            for name, value, ok in (
                ('kernel_size', self.kernel_size, self.kernel_size == (3, 3)),
                ('stride', self.stride, self.stride == (1, 1)),
                ('dilation', self.dilation, self.dilation == (1, 1)),
                ('groups', self.groups, self.groups == 1),
                ('padding', self.padding, pads is not None and len(pads) == 1),
                ('padding_mode', self.padding_mode, self.padding_mode in PAD_MODES),
            )
            if not ok
        ]
        if not problems and not 0 <= self.padding[0] <= 2:
            problems.append(f'padding={self.padding}')
        if problems:
            raise ValueError(
                'WinogradConv2d computes 3x3 convolutions with stride 1, dilation '
                "1, groups 1, one padding of 0-2 and padding_mode 'zeros', "
                f"'reflect' or 'replicate', but got {', '.join(problems)}; use "
                'nn.Conv2d for this layer.'
            )

    def kernel_applies(self, x: Tensor) -> bool:
        """Whether the input is larger than the padding (reflect needs it)."""
        return min(x.shape[-2:]) > self.padding[0]

    def kernel_forward(self, x: Tensor) -> Tensor:
        """Convolve by Winograd F(4, 3).

        Args:
            x (Tensor): ``(N, in_channels, H, W)`` float32 on the CPU.

        Returns:
            Tensor: ``(N, out_channels, H + 2 padding - 2, W + 2 padding - 2)``.
        """
        u = reusing_transformed_weights(self.weight)
        return winograd_conv2d(
            x, self.weight, self.bias, self.padding[0], self.padding_mode, u=u
        )

    def extra_repr(self) -> str:
        return super().extra_repr() + ', winograd=F(4x4, 3x3) on CPU'
