"""Where MMagic 1.2.0's CycleGAN networks keep their tensors, and where ours do.

Module paths (mmcv ``ConvModule``: ``conv`` plus a norm named ``in``/``bn``),
for ``n`` residual blocks and ``L`` = ``num_conv``:

- generator: ``model.0`` stem, ``model.1``-``2`` downsampling, ``model.3`` …
  ``model.{2+n}`` blocks (``block.0`` and ``block.1``, ``block.2`` after a
  dropout), ``model.{3+n}``-``{4+n}`` transposed convs, ``model.{5+n}`` head;
- discriminator: ``model.0`` … ``model.L`` conv modules, ``model.{L+1}`` the
  final bare conv.
"""

import re
from typing import Callable, Dict, Mapping, NamedTuple, Pattern, Sequence, Tuple, Type

from torch import Tensor, nn

from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator

__all__ = ['MMAGIC_LAYOUTS', 'NetworkLayout']


def _sub(name: str, norm: str) -> str:
    # A conv module's children: its conv, and a norm named 'norm' (ours) or
    # after its kind (mmcv: 'in', 'bn').
    return 'conv' if name == 'conv' else norm


def _generator_to_ours(mm_modules: Sequence[str]) -> Dict[str, str]:
    num_blocks = len({p.split('.')[1] for p in mm_modules if '.block.' in p})
    table = {}
    for path in mm_modules:
        parts = path.split('.')  # model.<i>[.block.<j>].<sub>
        i = int(parts[1])
        if i == 0:
            ours = 'stem'
        elif i <= 2:
            ours = f'downsample.{i - 1}'
        elif i < 3 + num_blocks:
            ours = f'blocks.{i - 3}.{"conv1" if parts[3] == "0" else "conv2"}'
        elif i < 5 + num_blocks:
            ours = f'upsample.{i - 3 - num_blocks}'
        else:
            ours = 'head'
        table[path] = f'{ours}.{_sub(parts[-1], "norm")}'
    return table


def _discriminator_to_ours(mm_modules: Sequence[str]) -> Dict[str, str]:
    last = max(int(p.split('.')[1]) for p in mm_modules)
    table = {}
    for path in mm_modules:
        parts = path.split('.')  # model.<i>[.<sub>]; the last conv is bare
        i = int(parts[1])
        table[path] = 'head' if i == last else f'layers.{i}.{_sub(parts[-1], "norm")}'
    return table


def _generator_to_mmagic(modules: Sequence[str], norm: str, dropout: bool):
    n = len({p.split('.')[1] for p in modules if p.startswith('blocks.')})
    owners = {'stem': '0', 'downsample.0': '1', 'downsample.1': '2'}
    owners.update({'upsample.0': f'{3 + n}', 'upsample.1': f'{4 + n}'})
    owners['head'] = f'{5 + n}'
    for b in range(n):
        # MMagic's dropout is a module of its own, between the two convs.
        owners[f'blocks.{b}.conv1'] = f'{3 + b}.block.0'
        owners[f'blocks.{b}.conv2'] = f'{3 + b}.block.{2 if dropout else 1}'
    table = {}
    for path in modules:
        owner, sub = path.rsplit('.', 1)
        table[path] = f'model.{owners[owner]}.{_sub(sub, norm)}'
    return table


def _discriminator_to_mmagic(modules: Sequence[str], norm: str, dropout: bool):
    count = len({p.split('.')[1] for p in modules if p.startswith('layers.')})
    table = {}
    for path in modules:
        if path == 'head':
            table[path] = f'model.{count}'
        else:
            _, index, sub = path.split('.')
            table[path] = f'model.{index}.{_sub(sub, norm)}'
    return table


def _norm_cfg(state: Mapping[str, Tensor], norm_key: str) -> dict:
    if f'{norm_key}.running_mean' in state:
        return dict(type='BN')
    return dict(type='IN', affine=f'{norm_key}.weight' in state)


def _generator_config(state: Mapping[str, Tensor], dropout: bool) -> dict:
    stem, head = state['stem.conv.weight'], state['head.conv.weight']
    return dict(
        type='ResnetGenerator',
        in_channels=stem.shape[1],
        out_channels=head.shape[0],
        base_channels=stem.shape[0],
        num_blocks=len({k.split('.')[1] for k in state if k.startswith('blocks.')}),
        norm_cfg=_norm_cfg(state, 'downsample.0.norm'),
        use_dropout=dropout,
    )


def _discriminator_config(state: Mapping[str, Tensor], dropout: bool) -> dict:
    first = state['layers.0.conv.weight']
    layers = {k.split('.')[1] for k in state if k.startswith('layers.')}
    return dict(
        type='PatchDiscriminator',
        in_channels=first.shape[1],
        base_channels=first.shape[0],
        num_conv=len(layers) - 1,
        norm_cfg=_norm_cfg(state, 'layers.1.norm'),
    )


class NetworkLayout(NamedTuple):
    """How one kind of network is laid out in MMagic's checkpoints and ours."""

    network: Type[nn.Module]
    mm_module: Pattern  # MMagic's module paths
    to_ours: Callable[[Sequence[str]], Dict[str, str]]
    to_mmagic: Callable[[Sequence[str], str, bool], Dict[str, str]]
    config: Callable[[Mapping[str, Tensor], bool], dict]
    flips: Tuple[Tuple[str, int], ...]  # (key, dim) reversed for BGR <-> RGB


MMAGIC_LAYOUTS = {
    'generators': NetworkLayout(
        ResnetGenerator,
        re.compile(r'model\.\d+(\.block\.\d+)?\.\w+'),
        _generator_to_ours,
        _generator_to_mmagic,
        _generator_config,
        (('stem.conv.weight', 1), ('head.conv.weight', 0), ('head.conv.bias', 0)),
    ),
    'discriminators': NetworkLayout(
        PatchDiscriminator,
        re.compile(r'model\.\d+(\.\w+)?'),
        _discriminator_to_ours,
        _discriminator_to_mmagic,
        _discriminator_config,
        (('layers.0.conv.weight', 1),),
    ),
}
