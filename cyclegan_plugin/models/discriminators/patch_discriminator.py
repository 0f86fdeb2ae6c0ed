"""The 70x70 PatchGAN discriminator: C64-C128-C256-C512, then a 1-channel conv."""

from typing import List, Optional, Union

from mmcv.cnn import build_conv_layer
from torch import Tensor, nn

from cyclegan_plugin.registry import MODELS

from ..layers import BlurDownsample, ConvNormAct, conv_bias_for, sequential_forward
from ..weights import BaseNetwork

__all__ = ['PatchDiscriminator']


@MODELS.register_module()
class PatchDiscriminator(BaseNetwork):
    """The authors' ``NLayerDiscriminator``: a map of real/fake scores per patch.

    ``layers`` holds ``num_conv + 1`` 4x4 convs with padding 1 and LeakyReLU
    0.2: the first (``base_channels``, no norm) and the next ``num_conv - 1``
    have stride 2 and double the channels (capped at ``8 * base_channels``),
    the last has stride 1; all but the first are normalised. ``head`` is a 4x4
    stride-1 conv to one channel, without activation (the GAN loss decides
    what the scores mean). With the defaults: 2,764,737 parameters, 70x70
    receptive field, a 256x256 input gives ``(N, 1, 30, 30)``.

    Args:
        in_channels (int): Input image channels. Defaults to 3.
        base_channels (int): Channels of the first conv (the authors' ndf).
            Defaults to 64.
        num_conv (int): Stride-2 convs (the authors' n_layers), >= 1.
            Defaults to 3.
        norm_cfg (dict, optional): ``dict(type=NAME, **kwargs)``, NAME a norm
            registered in MMEngine's ``MODELS`` ('IN', 'BN', 'SyncBN', ...) or
            'none'. Convs keep their bias except before batch norm.
            Defaults to ``dict(type='IN', affine=False)``.
        init_cfg (dict | list[dict], optional): See :class:`BaseNetwork`.
            Defaults to ``dict(type='normal', gain=0.02)``.
        with_cp (bool): Activation checkpointing of each conv layer in
            training (see
            :func:`~cyclegan_plugin.models.layers.sequential_forward`).
            Defaults to False.
        antialias (bool): Anti-aliased downsampling, as the CUT authors'
            ``NLayerDiscriminator`` unless ``--no_antialias``: each stride-2
            conv runs at stride 1 and a :class:`BlurDownsample` (``blur``)
            follows its LeakyReLU. The parameters and their names do not
            change. Defaults to False (CycleGAN's strided convs).

    Raises:
        ValueError: If a size argument is out of range.
    """

    def __init__(
        self,
        in_channels: int = 3,
        base_channels: int = 64,
        num_conv: int = 3,
        norm_cfg: Optional[dict] = dict(type='IN', affine=False),
        init_cfg: Optional[Union[dict, List[dict]]] = dict(type='normal', gain=0.02),
        with_cp: bool = False,
        antialias: bool = False,
    ) -> None:
        super().__init__(init_cfg)
        self.with_cp = with_cp
        if min(in_channels, base_channels, num_conv) < 1:
            raise ValueError(
                'in_channels, base_channels and num_conv must be >= 1, but got '
                f'in_channels={in_channels}, base_channels={base_channels}, '
                f'num_conv={num_conv}'
            )
        bias = conv_bias_for(norm_cfg)
        leaky = dict(type='LeakyReLU', negative_slope=0.2, inplace=True)
        widths = [base_channels * min(2**k, 8) for k in range(num_conv + 1)]

        stride = 1 if antialias else 2
        # The authors' first conv keeps its default bias whatever the norm.
        layers = [ConvNormAct(in_channels, widths[0], 4, stride, 1, act_cfg=leaky)]
        for k in range(1, num_conv + 1):
            layers.append(
                ConvNormAct(
                    widths[k - 1],
                    widths[k],
                    4,
                    stride=stride if k < num_conv else 1,
                    padding=1,
                    bias=bias,
                    norm_cfg=norm_cfg,
                    act_cfg=leaky,
                )
            )
        if antialias:
            for k in range(num_conv):
                # Appended to the unit, so the conv keeps its checkpoint key.
                layers[k].add_module('blur', BlurDownsample(widths[k]))
        self.layers = nn.Sequential(*layers)
        self.head = build_conv_layer(
            dict(type='Conv2d'), widths[-1], 1, 4, stride=1, padding=1
        )

    def forward(self, x: Tensor) -> Tensor:
        """Score every patch of a batch of images.

        Args:
            x (Tensor): ``(N, in_channels, H, W)``.

        Returns:
            Tensor: ``(N, 1, H', W')`` raw scores (``H' = H / 2**num_conv - 2``
            when H is divisible by ``2**num_conv``).
        """
        return self.head(sequential_forward(self.layers, x, self.with_cp))
