"""The authors' 1x1 PixelGAN discriminator: one real/fake score per pixel."""

from typing import List, Optional, Union

from mmcv.cnn import build_conv_layer
from torch import Tensor, nn

from cyclegan_plugin.registry import MODELS

from ..layers import ConvNormAct, conv_bias_for
from ..weights import BaseNetwork

__all__ = ['PixelDiscriminator']


@MODELS.register_module()
class PixelDiscriminator(BaseNetwork):
    """1x1 convs only: judges colours, not structure (the authors' ``pixel`` D).

    ``layers``: 1x1 conv to ``base_channels`` and LeakyReLU 0.2, then 1x1 conv
    to ``2 * base_channels``, norm, LeakyReLU 0.2; ``head``: 1x1 conv to one
    channel.

    Args:
        in_channels (int): Input image channels. Defaults to 3.
        base_channels (int): Channels of the first conv (the authors' ndf).
            Defaults to 64.
        norm_cfg (dict, optional): ``dict(type=NAME, **kwargs)``, NAME a norm
            registered in MMEngine's ``MODELS`` ('IN', 'BN', 'SyncBN', ...) or
            'none'. Convs keep their bias except before batch norm (the
            authors drop the head's too). Defaults to
            ``dict(type='IN', affine=False)``.
        init_cfg (dict | list[dict], optional): See :class:`BaseNetwork`.
            Defaults to ``dict(type='normal', gain=0.02)``.

    Raises:
        ValueError: If a size argument is out of range.
    """

    def __init__(
        self,
        in_channels: int = 3,
        base_channels: int = 64,
        norm_cfg: Optional[dict] = dict(type='IN', affine=False),
        init_cfg: Optional[Union[dict, List[dict]]] = dict(type='normal', gain=0.02),
    ) -> None:
        super().__init__(init_cfg)
        if min(in_channels, base_channels) < 1:
            raise ValueError(
                'in_channels and base_channels must be >= 1, but got '
                f'in_channels={in_channels}, base_channels={base_channels}'
            )
        bias = conv_bias_for(norm_cfg)
        leaky = dict(type='LeakyReLU', negative_slope=0.2, inplace=True)
        self.layers = nn.Sequential(
            ConvNormAct(in_channels, base_channels, 1, act_cfg=leaky),
            ConvNormAct(
                base_channels,
                2 * base_channels,
                1,
                bias=bias,
                norm_cfg=norm_cfg,
                act_cfg=leaky,
            ),
        )
        self.head = build_conv_layer(
            dict(type='Conv2d'), 2 * base_channels, 1, 1, bias=bias
        )

    def forward(self, x: Tensor) -> Tensor:
        """Score every pixel of a batch of images.

        Args:
            x (Tensor): ``(N, in_channels, H, W)``.

        Returns:
            Tensor: ``(N, 1, H, W)`` raw scores.
        """
        return self.head(self.layers(x))
