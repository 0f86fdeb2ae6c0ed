"""Anti-aliased x2 upsampling: zero insertion, then a binomial blur."""

import torch.nn.functional as F
from torch import Tensor, nn

from cyclegan_plugin.registry import MODELS

from .blur_downsample import binomial_filter

__all__ = ['BlurUpsample']


@MODELS.register_module()
class BlurUpsample(nn.Module):
    """The CUT authors' ``Upsample``: a depthwise transposed conv with a blur.

    Replicate-pads one pixel, applies a stride-2 transposed conv whose fixed
    kernel is the 4x4 binomial filter times 4 (so a constant image stays
    constant), and crops to exactly ``(2H, 2W)``. A learned 3x3 conv follows it
    in the generator. The filter is a non-persistent buffer.

    Args:
        channels (int): Channels of the input.

    Raises:
        ValueError: If ``channels`` < 1.
    """

    _FILTER_SIZE = 4
    _STRIDE = 2

    def __init__(self, channels: int) -> None:
        super().__init__()
        if channels < 1:
            raise ValueError(f'channels must be >= 1, but got {channels}')
        filt = binomial_filter(self._FILTER_SIZE) * self._STRIDE**2
        self.register_buffer(
            'filt', filt[None, None].repeat(channels, 1, 1, 1), persistent=False
        )

    def forward(self, x: Tensor) -> Tensor:
        """Double H and W.

        Args:
            x (Tensor): ``(N, channels, H, W)``.

        Returns:
            Tensor: ``(N, channels, 2H, 2W)``.
        """
        pad = (self._FILTER_SIZE - 1) // 2
        out = F.conv_transpose2d(
            F.pad(x, (1, 1, 1, 1), mode='replicate'),
            self.filt.to(x.dtype),
            stride=self._STRIDE,
            padding=1 + pad,
            groups=x.shape[1],
        )
        # The authors' crop: one row/column off the start, and for an even
        # filter one off the end.
        return out[:, :, 1:-1, 1:-1]
