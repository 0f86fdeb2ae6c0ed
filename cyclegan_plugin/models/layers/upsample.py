"""The x2 upsampling stage of the generators: transposed conv or resize-conv."""

from collections import OrderedDict
from typing import Callable, Dict, Literal, Optional

from torch import nn

from .blur_upsample import BlurUpsample
from .conv_norm_act import ConvNormAct

__all__ = ['build_upsample_block']

UpsampleMode = Literal['deconv', 'resize_conv', 'blur_conv']
InterpMode = Literal['nearest', 'bilinear']


def _deconv(
    in_channels: int,
    out_channels: int,
    *,
    deconv_kernel_size: int,
    interp_mode: InterpMode,
    padding_mode: str,
    **conv_kwargs,
) -> nn.Module:
    # Odd kernels (the ResNet's 3) need output_padding 1 to double the size
    # exactly; even ones (the U-Net's 4) need none.
    return ConvNormAct(
        in_channels,
        out_channels,
        deconv_kernel_size,
        stride=2,
        padding=1,
        transposed=True,
        output_padding=deconv_kernel_size % 2,
        **conv_kwargs,
    )


def _resize_conv(
    in_channels: int,
    out_channels: int,
    *,
    deconv_kernel_size: int,
    interp_mode: InterpMode,
    padding_mode: str,
    **conv_kwargs,
) -> nn.Module:
    # Every output pixel then sees the same number of kernel taps, which
    # removes the checkerboard pattern of stride-2 transposed convs
    # (Odena et al., "Deconvolution and Checkerboard Artifacts", 2016).
    return nn.Sequential(
        OrderedDict(
            resize=nn.Upsample(scale_factor=2, mode=interp_mode),
            conv=ConvNormAct(
                in_channels,
                out_channels,
                3,
                padding=1,
                padding_mode=padding_mode,
                **conv_kwargs,
            ),
        )
    )


def _blur_conv(
    in_channels: int,
    out_channels: int,
    *,
    deconv_kernel_size: int,
    interp_mode: InterpMode,
    padding_mode: str,
    **conv_kwargs,
) -> nn.Module:
    # The CUT authors' anti-aliased upsampling; their 3x3 conv after the blur
    # pads with zeros whatever the generator's padding type, so does this one.
    return nn.Sequential(
        OrderedDict(
            resize=BlurUpsample(in_channels),
            conv=ConvNormAct(in_channels, out_channels, 3, padding=1, **conv_kwargs),
        )
    )


# Not mmcv's build_upsample_layer: it builds one layer, these stages are
# conv -> norm -> activation (and its 'deconv' is its own ConvTranspose2d).
_UPSAMPLE_BUILDERS: Dict[str, Callable[..., nn.Module]] = {
    'deconv': _deconv,
    'resize_conv': _resize_conv,
    'blur_conv': _blur_conv,
}


def build_upsample_block(
    mode: UpsampleMode,
    in_channels: int,
    out_channels: int,
    *,
    deconv_kernel_size: int = 3,
    interp_mode: InterpMode = 'nearest',
    padding_mode: str = 'zeros',
    bias: bool = True,
    norm_cfg: Optional[dict] = None,
    act_cfg: Optional[dict] = None,
    dropout: float = 0.0,
) -> nn.Module:
    """Build a stage that doubles H and W: ``(N, C_in, H, W) -> (N, C_out, 2H, 2W)``.

    Args:
        mode (str): 'deconv': a stride-2 transposed conv, padding 1, as the
            authors. 'resize_conv': ``interp_mode`` upsampling then a 3x3 conv,
            padding 1 (the usual checkerboard fix). 'blur_conv': the CUT
            authors' anti-aliased stage, :class:`BlurUpsample` then a 3x3 conv
            zero-padded by 1.
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        deconv_kernel_size (int): Kernel of the transposed conv. Defaults to 3.
        interp_mode (str): 'nearest' or 'bilinear', for 'resize_conv'.
            Defaults to 'nearest'.
        padding_mode (str): Padding of the 'resize_conv' conv. Defaults to
            'zeros'.
        bias (bool): Whether the conv has a bias. Defaults to True.
        norm_cfg (dict, optional): Norm after the conv. Defaults to None.
        act_cfg (dict, optional): Activation after the norm. Defaults to None.
        dropout (float): Dropout after the activation. Defaults to 0.0.

    Returns:
        nn.Module: A :class:`ConvNormAct` ('deconv') or a ``Sequential`` of
        ``resize`` and ``conv`` ('resize_conv', 'blur_conv').

    Raises:
        ValueError: If ``mode`` or ``interp_mode`` is unknown.
    """
    if mode not in _UPSAMPLE_BUILDERS:
        raise ValueError(
            f'upsample_mode must be one of {sorted(_UPSAMPLE_BUILDERS)}, '
            f'but got {mode!r}'
        )
    if interp_mode not in ('nearest', 'bilinear'):
        raise ValueError(
            f'interp_mode must be "nearest" or "bilinear", but got {interp_mode!r}'
        )
    return _UPSAMPLE_BUILDERS[mode](
        in_channels,
        out_channels,
        deconv_kernel_size=deconv_kernel_size,
        interp_mode=interp_mode,
        padding_mode=padding_mode,
        bias=bias,
        norm_cfg=norm_cfg,
        act_cfg=act_cfg,
        dropout=dropout,
    )
