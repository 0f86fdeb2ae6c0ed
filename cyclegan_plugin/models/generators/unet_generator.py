"""The authors' U-Net generator (unet_128: 7 downsamplings, unet_256: 8)."""

from typing import List, Literal, Optional, Union

import torch
from torch import Tensor, nn

from cyclegan_plugin.registry import MODELS

from ..layers import ConvNormAct, build_upsample_block, conv_bias_for
from ..weights import BaseNetwork

__all__ = ['UnetGenerator']

# The authors' U-Net always has the outermost level, three widening levels and
# the innermost one; num_downs adds levels of constant width in between.
_MIN_DOWNS = 5


@MODELS.register_module()
class UnetGenerator(BaseNetwork):
    """The authors' U-Net, unrolled into an encoder list and a decoder list.

    Encoder level ``k`` is a 4x4 stride-2 conv to ``base_channels * min(2**k, 8)``
    channels, then norm (not at the first and innermost levels) and LeakyReLU
    0.2 (not at the innermost level). Decoder stage ``j`` (innermost first)
    takes ReLU of its input, doubles H and W (4x4 stride-2 transposed conv, or
    resize-conv) and normalises; its output is concatenated after the skip of
    the matching encoder level. The last stage ends in Tanh instead of a norm.

    The skip carries the encoder features *after* LeakyReLU: the authors apply
    that LeakyReLU in place at the start of the next level, which also changes
    the tensor their skip concatenates. We keep this so their weights compute
    the same function here.

    Args:
        in_channels (int): Input image channels. Defaults to 3.
        out_channels (int): Output image channels. Defaults to 3.
        base_channels (int): Channels of the first level (the authors' ngf).
            Defaults to 64.
        num_downs (int): Downsamplings, >= 5; 7 is the authors' unet_128, 8
            their unet_256. H and W must be divisible by ``2**num_downs``.
            Defaults to 8.
        norm_cfg (dict, optional): ``dict(type=NAME, **kwargs)``, NAME a norm
            registered in MMEngine's ``MODELS`` ('IN', 'BN', 'SyncBN', ...) or
            'none'. Convs keep their bias except before batch norm.
            Defaults to ``dict(type='IN', affine=False)``.
        use_dropout (bool): Dropout 0.5 in the decoder stages of the
            ``num_downs - 5`` constant-width levels, as the authors. Defaults to
            False.
        upsample_mode (str): 'deconv' (the authors') or 'resize_conv'
            (``interp_mode`` resize then 3x3 conv). Defaults to 'deconv'.
        interp_mode (str): 'nearest' or 'bilinear', for 'resize_conv'.
            Defaults to 'nearest'.
        init_cfg (dict | list[dict], optional): See :class:`BaseNetwork`.
            Defaults to ``dict(type='normal', gain=0.02)``.

    Raises:
        ValueError: If a size argument is out of range.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        base_channels: int = 64,
        num_downs: int = 8,
        norm_cfg: Optional[dict] = dict(type='IN', affine=False),
        use_dropout: bool = False,
        upsample_mode: Literal['deconv', 'resize_conv'] = 'deconv',
        interp_mode: Literal['nearest', 'bilinear'] = 'nearest',
        init_cfg: Optional[Union[dict, List[dict]]] = dict(type='normal', gain=0.02),
    ) -> None:
        super().__init__(init_cfg)
        if min(in_channels, out_channels, base_channels) < 1 or num_downs < _MIN_DOWNS:
            raise ValueError(
                'in_channels, out_channels and base_channels must be >= 1 and '
                f'num_downs >= {_MIN_DOWNS}, but got in_channels={in_channels}, '
                f'out_channels={out_channels}, base_channels={base_channels}, '
                f'num_downs={num_downs}'
            )
        self.num_downs = num_downs
        bias = conv_bias_for(norm_cfg)
        innermost = num_downs - 1
        widths = [base_channels * min(2**k, 8) for k in range(num_downs)]

        self.encoder = nn.ModuleList(
            ConvNormAct(
                in_channels if k == 0 else widths[k - 1],
                widths[k],
                4,
                stride=2,
                padding=1,
                bias=bias,
                norm_cfg=None if k in (0, innermost) else norm_cfg,
                act_cfg=None
                if k == innermost
                else dict(type='LeakyReLU', negative_slope=0.2, inplace=True),
            )
            for k in range(num_downs)
        )
        self.decoder = nn.ModuleList(
            build_upsample_block(
                upsample_mode,
                widths[k] if k == innermost else 2 * widths[k],
                out_channels if k == 0 else widths[k - 1],
                deconv_kernel_size=4,
                interp_mode=interp_mode,
                # The authors' outermost transposed conv keeps its bias.
                bias=True if k == 0 else bias,
                norm_cfg=None if k == 0 else norm_cfg,
                act_cfg=dict(type='Tanh') if k == 0 else None,
                dropout=0.5 if use_dropout and 4 <= k < innermost else 0.0,
            )
            for k in reversed(range(num_downs))
        )

    def forward(self, x: Tensor) -> Tensor:
        """Translate a batch of images.

        Args:
            x (Tensor): ``(N, in_channels, H, W)`` in [-1, 1], H and W divisible
                by ``2**num_downs``.

        Returns:
            Tensor: ``(N, out_channels, H, W)`` in [-1, 1].

        Raises:
            ValueError: If H or W is not divisible by ``2**num_downs``.
        """
        factor = 2**self.num_downs
        if x.shape[-2] % factor or x.shape[-1] % factor:
            raise ValueError(
                f'UnetGenerator with num_downs={self.num_downs} needs H and W '
                f'divisible by {factor}, but got input of shape {tuple(x.shape)}'
            )
        skips = []
        for level in self.encoder[:-1]:
            x = level(x)
            skips.append(x)
        x = self.encoder[-1](x)
        for stage in self.decoder:
            x = stage(torch.relu(x))
            if skips:
                x = torch.cat([skips.pop(), x], dim=1)
        return x
