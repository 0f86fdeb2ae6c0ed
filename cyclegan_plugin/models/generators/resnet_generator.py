"""The CycleGAN ResNet generator: c7s1-64, d128, d256, R256 x N, u128, u64, c7s1-3."""

from functools import partial
from typing import Callable, Iterator, List, Literal, Optional, Sequence, Tuple, Union

import torch.nn.functional as F
from torch import Tensor, nn

from cyclegan_plugin.registry import MODELS

from ..layers import (
    BlurDownsample,
    ConvNormAct,
    build_upsample_block,
    conv_bias_for,
    sequential_forward,
)
from ..weights import BaseNetwork
from .residual_block import ResidualBlock

__all__ = ['ResnetGenerator']

_NUM_DOWNSAMPLINGS = 2
CHECKPOINTABLE_STAGES = ('stem', 'downsample', 'blocks', 'upsample', 'head')


@MODELS.register_module()
class ResnetGenerator(BaseNetwork):
    """The authors' ResNet generator (Johnson et al.'s network), module by module.

    ``stem`` (7x7 conv, norm, ReLU) → ``downsample`` (two 3x3 stride-2 convs
    doubling the channels) → ``blocks`` (``num_blocks`` :class:`ResidualBlock`)
    → ``upsample`` (two x2 stages halving the channels) → ``head`` (7x7 conv to
    ``out_channels``, Tanh). With the defaults it is the authors'
    ``resnet_9blocks`` with instance norm: 11,378,179 parameters, the same
    computation in the same layer order (so the same initial weights for a
    given seed). 6 blocks are the authors' choice for 128x128 images.

    Args:
        in_channels (int): Input image channels. Defaults to 3.
        out_channels (int): Output image channels. Defaults to 3.
        base_channels (int): Channels after the stem (the authors' ngf).
            Defaults to 64.
        num_blocks (int): Residual blocks. Defaults to 9.
        norm_cfg (dict, optional): ``dict(type=NAME, **kwargs)``, NAME a norm
            registered in MMEngine's ``MODELS`` ('IN', 'BN', 'SyncBN', ...) or
            'none'. Convs keep their bias except before batch norm.
            Defaults to ``dict(type='IN', affine=False)``.
        use_dropout (bool): Dropout 0.5 inside the residual blocks. Defaults to
            False.
        padding_mode (str): Padding of the stride-1 convs: 'reflect' (the
            authors'), 'replicate' or 'zeros'. The stride-2 convs always pad
            with zeros, as the authors'. Defaults to 'reflect'.
        upsample_mode (str): 'deconv': 3x3 stride-2 transposed convs (the
            authors'); 'resize_conv': ``interp_mode`` x2 resize then a 3x3 conv,
            which avoids checkerboard artifacts; 'blur_conv': the CUT authors'
            anti-aliased upsampling (:class:`BlurUpsample`, then a 3x3 conv).
            Defaults to 'deconv'.
        antialias (bool): Anti-aliased downsampling, as the CUT authors'
            generator unless ``--no_antialias``: each downsampling conv runs
            at stride 1 and a :class:`BlurDownsample` (``blur``) follows its
            ReLU. The parameters and their names do not change. Defaults to
            False (CycleGAN's strided convs).
        interp_mode (str): 'nearest' or 'bilinear', for 'resize_conv'.
            Defaults to 'nearest'.
        init_cfg (dict | list[dict], optional): See :class:`BaseNetwork`.
            Defaults to ``dict(type='normal', gain=0.02)``.
        with_cp (bool | Sequence[str]): Activation checkpointing in training
            (see :func:`~cyclegan_plugin.models.layers.sequential_forward`):
            True for each residual block, 'all' for every stage, or the
            stages whose modules are checkpointed one by one, of 'stem',
            'downsample', 'blocks', 'upsample', 'head' (the stem and the head
            are one module each). Saves memory for a second forward of those
            modules in the backward pass; weights and results are unchanged.
            Defaults to False.

    Raises:
        ValueError: If a size or mode argument is out of range.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        base_channels: int = 64,
        num_blocks: int = 9,
        norm_cfg: Optional[dict] = dict(type='IN', affine=False),
        use_dropout: bool = False,
        padding_mode: Literal['reflect', 'replicate', 'zeros'] = 'reflect',
        upsample_mode: Literal['deconv', 'resize_conv', 'blur_conv'] = 'deconv',
        interp_mode: Literal['nearest', 'bilinear'] = 'nearest',
        init_cfg: Optional[Union[dict, List[dict]]] = dict(type='normal', gain=0.02),
        with_cp: Union[bool, str, Sequence[str]] = False,
        antialias: bool = False,
    ) -> None:
        super().__init__(init_cfg)
        named = {True: ('blocks',), False: (), 'all': CHECKPOINTABLE_STAGES}
        stages = (
            named.get(with_cp, with_cp) if isinstance(with_cp, (bool, str)) else with_cp
        )
        unknown = [s for s in stages if s not in CHECKPOINTABLE_STAGES]
        if isinstance(stages, str) or unknown:
            raise ValueError(
                f"with_cp must be a bool, 'all' or a list of "
                f'{CHECKPOINTABLE_STAGES}, but got {with_cp!r}'
            )
        self.checkpointed_stages = frozenset(stages)
        if min(in_channels, out_channels, base_channels) < 1 or num_blocks < 0:
            raise ValueError(
                'in_channels, out_channels and base_channels must be >= 1 and '
                f'num_blocks >= 0, but got in_channels={in_channels}, '
                f'out_channels={out_channels}, base_channels={base_channels}, '
                f'num_blocks={num_blocks}'
            )
        if padding_mode not in ('reflect', 'replicate', 'zeros'):
            raise ValueError(
                'padding_mode must be "reflect", "replicate" or "zeros", '
                f'but got {padding_mode!r}'
            )
        bias = conv_bias_for(norm_cfg)
        relu = dict(type='ReLU', inplace=True)

        self.stem = ConvNormAct(
            in_channels,
            base_channels,
            7,
            padding=3,
            padding_mode=padding_mode,
            bias=bias,
            norm_cfg=norm_cfg,
            act_cfg=relu,
        )
        widths = [base_channels * 2**i for i in range(_NUM_DOWNSAMPLINGS + 1)]
        self.downsample = nn.Sequential()
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            stage = ConvNormAct(
                c_in,
                c_out,
                3,
                stride=1 if antialias else 2,
                padding=1,
                bias=bias,
                norm_cfg=norm_cfg,
                act_cfg=relu,
            )
            if antialias:
                # Appended to the unit, so the conv keeps its checkpoint key.
                stage.add_module('blur', BlurDownsample(c_out))
            self.downsample.append(stage)
        self.blocks = nn.Sequential(
            *(
                ResidualBlock(widths[-1], norm_cfg, use_dropout, padding_mode, bias)
                for _ in range(num_blocks)
            )
        )
        self.upsample = nn.Sequential(
            *(
                build_upsample_block(
                    upsample_mode,
                    c_in,
                    c_out,
                    deconv_kernel_size=3,
                    interp_mode=interp_mode,
                    padding_mode=padding_mode,
                    bias=bias,
                    norm_cfg=norm_cfg,
                    act_cfg=relu,
                )
                for c_in, c_out in zip(widths[:0:-1], widths[-2::-1])
            )
        )
        # The authors' last conv keeps its default bias whatever the norm.
        self.head = ConvNormAct(
            base_channels,
            out_channels,
            7,
            padding=3,
            padding_mode=padding_mode,
            act_cfg=dict(type='Tanh'),
        )

    def forward(self, x: Tensor) -> Tensor:
        """Translate a batch of images.

        Args:
            x (Tensor): ``(N, in_channels, H, W)`` in [-1, 1], H and W divisible
                by 4.

        Returns:
            Tensor: ``(N, out_channels, H, W)`` in [-1, 1].

        Raises:
            ValueError: If H or W is not divisible by 4 (the output would not
                have the input's size).
        """
        if x.shape[-2] % 4 or x.shape[-1] % 4:
            raise ValueError(
                'ResnetGenerator needs H and W divisible by 4, but got input of '
                f'shape {tuple(x.shape)}'
            )
        for name in CHECKPOINTABLE_STAGES:
            stage = getattr(self, name)
            # The stem and the head are one unit each (conv, norm, in-place
            # activation), not a stage of units.
            units = (stage,) if name in ('stem', 'head') else stage
            x = sequential_forward(units, x, name in self.checkpointed_stages)
        return x

    def feature_layers(self) -> List[str]:
        """The names :meth:`encode` accepts, in the order the layers run.

        Every conv, norm, activation, blur and residual block has a name
        (``'stem.conv'``, ``'downsample.0.act'``, ``'blocks.3'``, ...), and a
        conv that pads by reflection or replication also has ``'<unit>.pad'``,
        its padded input: the authors' separate padding layer. The list is
        module for module the authors' ``nn.Sequential``, so their layer index
        ``i`` (CUT's ``--nce_layers``) is ``feature_layers()[i]``, with or
        without anti-aliasing.

        Returns:
            list[str]: The layer names.
        """
        return [name for name, _, _ in self._taps()]

    def feature_channels(self, layers: Sequence[str]) -> List[int]:
        """The channels of each layer's output, as :meth:`encode` returns them.

        Args:
            layers (Sequence[str]): Names from :meth:`feature_layers`.

        Returns:
            list[int]: One channel count per name.
        """
        self._check_layers(layers)
        channels = {name: c for name, _, c in self._taps()}
        return [channels[name] for name in layers]

    def encode(self, x: Tensor, layers: Sequence[str]) -> List[Tensor]:
        """The outputs of some layers, running the network only up to the last.

        The CUT authors' ``netG(x, nce_layers, encode_only=True)``, to the
        letter: a norm's output that an in-place ReLU follows is, as theirs,
        overwritten by that ReLU (their index 8 without anti-aliasing).

        Args:
            x (Tensor): ``(N, in_channels, H, W)`` in [-1, 1].
            layers (Sequence[str]): Names from :meth:`feature_layers`, in the
                order the layers run.

        Returns:
            list[Tensor]: ``(N, C_i, H_i, W_i)`` per name, in the given order.

        Raises:
            ValueError: If a name is unknown or the names are out of order.
        """
        self._check_layers(layers)
        wanted, feats = list(layers), []
        for name, fn, _ in self._taps():
            x = fn(x)
            if name == wanted[len(feats)]:
                feats.append(x)
                if len(feats) == len(wanted):
                    return feats
        return feats

    def _check_layers(self, layers: Sequence[str]) -> None:
        names = self.feature_layers()
        unknown = [n for n in layers if n not in names]
        if isinstance(layers, str) or not layers or unknown:
            raise ValueError(
                f'layers must be a non-empty list of {names}, but got {layers!r}'
            )
        positions = [names.index(n) for n in layers]
        if positions != sorted(set(positions)):
            raise ValueError(
                'layers must be distinct and in the order the network runs them, '
                f'but got {layers!r}'
            )

    def _taps(self) -> Iterator[Tuple[str, Callable[[Tensor], Tensor], int]]:
        """(name, function, output channels) per layer, in the authors' order."""
        channels = self.stem.conv.in_channels
        units = [('stem', self.stem)]
        for stage in ('downsample', 'blocks', 'upsample'):
            units += [(f'{stage}.{i}', m) for i, m in enumerate(getattr(self, stage))]
        units.append(('head', self.head))
        stack = list(reversed(units))
        while stack:
            name, module = stack.pop()
            if isinstance(module, nn.Sequential):
                children = [(f'{name}.{k}', m) for k, m in module.named_children()]
                stack += reversed(children)
                continue
            fn = module
            if isinstance(module, nn.Conv2d) and module.padding_mode != 'zeros':
                # The authors' padding layer, then the conv on its output: the
                # same graph as theirs, so the same gradient sums.
                pad, mode = module._reversed_padding_repeated_twice, module.padding_mode
                yield (
                    f'{name.rsplit(".", 1)[0]}.pad',
                    partial(F.pad, pad=pad, mode=mode),
                    channels,
                )
                fn = partial(_unpadded_conv, module)
            channels = getattr(module, 'out_channels', channels)
            yield name, fn, channels


def _unpadded_conv(conv: nn.Conv2d, x: Tensor) -> Tensor:
    return F.conv2d(
        x, conv.weight, conv.bias, conv.stride, 0, conv.dilation, conv.groups
    )
