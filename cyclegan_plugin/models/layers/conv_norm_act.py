"""Conv → norm → activation → dropout, the unit every network here is made of."""

from collections import OrderedDict
from typing import Literal, Optional

from mmcv.cnn import build_conv_layer
from torch import nn

from .builders import build_activation_layer, build_norm_layer

__all__ = ['ConvNormAct']

PaddingMode = Literal['zeros', 'reflect', 'replicate']


class ConvNormAct(nn.Sequential):
    """A 2-D (transposed) convolution followed by optional norm, activation, dropout.

    Children are named ``conv``, ``norm``, ``act`` and ``dropout`` (the absent
    ones are left out), so parameters read as ``conv.weight``, ``norm.weight``.
    Non-zero padding is done by the conv itself (``padding_mode``), which
    computes exactly what the authors' separate ``ReflectionPad2d`` + unpadded
    conv compute. The conv, norm and activation are built by mmcv's
    ``build_conv_layer``, ``build_norm_layer`` and ``build_activation_layer``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Kernel size.
        stride (int): Stride. Defaults to 1.
        padding (int): Padding on each side. Defaults to 0.
        padding_mode (str): 'zeros', 'reflect' or 'replicate'. Transposed convs
            support only 'zeros'. Defaults to 'zeros'.
        transposed (bool): Use ``ConvTranspose2d``. Defaults to False.
        output_padding (int): Extra rows/columns on one side of a transposed
            conv's output. Defaults to 0.
        bias (bool): Whether the conv has a bias. Defaults to True.
        norm_cfg (dict, optional): Norm after the conv, see
            :func:`~cyclegan_plugin.models.layers.build_norm_layer`.
            Defaults to None (no norm).
        act_cfg (dict, optional): Activation after the norm, see
            :func:`~cyclegan_plugin.models.layers.build_activation_layer`.
            Defaults to None (no activation).
        dropout (float): Dropout probability after the activation; 0 means no
            dropout layer. Defaults to 0.0.

    Raises:
        ValueError: If a transposed conv asks for non-zero padding, or
            ``dropout`` is outside [0, 1).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        *,
        padding_mode: PaddingMode = 'zeros',
        transposed: bool = False,
        output_padding: int = 0,
        bias: bool = True,
        norm_cfg: Optional[dict] = None,
        act_cfg: Optional[dict] = None,
        dropout: float = 0.0,
    ) -> None:
        if transposed and padding_mode != 'zeros':
            raise ValueError(
                'a transposed conv supports only padding_mode="zeros", '
                f'but got {padding_mode!r}'
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f'dropout must be in [0, 1), but got {dropout}')
        if transposed:
            # The class, not a name: mmcv's 'ConvTranspose2d' is its own
            # subclass, and the checkpoints hold PyTorch's.
            conv = build_conv_layer(
                dict(type=nn.ConvTranspose2d),
                in_channels,
                out_channels,
                kernel_size,
                stride=stride,
                padding=padding,
                output_padding=output_padding,
                bias=bias,
            )
        else:
            # Padded by its padding_mode, not a build_padding_layer layer: one
            # module, whose padding the kernels of cyclegan_plugin.ops take over.
            conv = build_conv_layer(
                dict(type='Conv2d'),
                in_channels,
                out_channels,
                kernel_size,
                stride=stride,
                padding=padding,
                padding_mode=padding_mode,
                bias=bias,
            )
        norm = build_norm_layer(norm_cfg, out_channels)
        act = build_activation_layer(act_cfg)
        layers = OrderedDict(
            conv=conv,
            norm=norm,
            act=act,
            dropout=nn.Dropout(dropout) if dropout > 0 else None,
        )
        super().__init__(
            OrderedDict(
                (name, layer) for name, layer in layers.items() if layer is not None
            )
        )
