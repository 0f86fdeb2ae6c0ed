"""Anti-aliased x2 downsampling: a binomial blur, then stride (Zhang 2019)."""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from cyclegan_plugin.registry import MODELS

__all__ = ['BlurDownsample', 'binomial_filter']


def binomial_filter(size: int) -> Tensor:
    """The normalised 2-D binomial filter of a side, ``outer(b, b) / sum``.

    ``b`` is row ``size - 1`` of Pascal's triangle: (1, 2, 1) for 3, (1, 3, 3, 1)
    for 4, the filters of Zhang's "Making Convolutional Networks Shift-Invariant
    Again" (ICML 2019) that the CUT authors use.

    Args:
        size (int): Filter side, 1 to 7.

    Returns:
        Tensor: ``(size, size)`` float32 weights summing to 1.

    Raises:
        ValueError: If ``size`` is outside 1..7.
    """
    if not 1 <= size <= 7:
        raise ValueError(f'filter size must be in 1..7, but got {size}')
    row = torch.tensor(
        [math.comb(size - 1, k) for k in range(size)], dtype=torch.float64
    )
    filt = (row[:, None] * row[None, :]).float()
    return filt / filt.sum()


@MODELS.register_module()
class BlurDownsample(nn.Module):
    """Blur each channel with a binomial filter, then keep every ``stride``-th pixel.

    The CUT authors' ``Downsample``: pads ``(size - 1) // 2`` before and
    ``ceil((size - 1) / 2)`` after each side by ``padding_mode``, then a
    depthwise conv with the fixed filter at ``stride``. It replaces the stride
    of a strided conv (which then runs at stride 1), so that the network's
    output moves with its input rather than aliasing. The filter is a
    non-persistent buffer: a constant, not a weight, it stays out of
    checkpoints.

    Args:
        channels (int): Channels of the input.
        filter_size (int): Side of the binomial filter. Defaults to 3.
        stride (int): Downsampling factor. Defaults to 2.
        padding_mode (str): 'reflect', 'replicate' or 'constant' (zeros).
            Defaults to 'reflect'.

    Raises:
        ValueError: If an argument is out of range.
    """

    def __init__(
        self,
        channels: int,
        filter_size: int = 3,
        stride: int = 2,
        padding_mode: str = 'reflect',
    ) -> None:
        super().__init__()
        if channels < 1 or stride < 1:
            raise ValueError(
                f'channels and stride must be >= 1, but got channels={channels}, '
                f'stride={stride}'
            )
        if padding_mode not in ('reflect', 'replicate', 'constant'):
            raise ValueError(
                'padding_mode must be "reflect", "replicate" or "constant", '
                f'but got {padding_mode!r}'
            )
        self.stride = stride
        self.padding_mode = padding_mode
        before, after = (filter_size - 1) // 2, math.ceil((filter_size - 1) / 2)
        self.padding = (before, after, before, after)
        filt = binomial_filter(filter_size)[None, None].repeat(channels, 1, 1, 1)
        self.register_buffer('filt', filt, persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """Blur and subsample.

        Args:
            x (Tensor): ``(N, channels, H, W)``.

        Returns:
            Tensor: ``(N, channels, H', W')`` with
            ``H' = (H + pad - size) // stride + 1`` (``H / 2`` for even H).
        """
        x = F.pad(x, self.padding, mode=self.padding_mode)
        filt = self.filt.to(x.dtype)
        return F.conv2d(x, filt, stride=self.stride, groups=x.shape[1])
