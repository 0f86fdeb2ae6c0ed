"""MMagic 1.2.0 CycleGAN checkpoints (``mmagic/models/editors/cyclegan``).

One file holds both directions, each network named by a *domain* (``horse``,
``zebra``): ``generators.zebra`` produces zebras, ``discriminators.zebra``
judges them. With our domain A = the first name, B = the second:

==========================  ===========================
MMagic                      ours (``docs/design.md``)
==========================  ===========================
``generators.<B name>``     ``generators.A`` (A → B)
``generators.<A name>``     ``generators.B`` (B → A)
``discriminators.<B name>`` ``discriminators.A`` (on B)
``discriminators.<A name>`` ``discriminators.B`` (on A)
==========================  ===========================

Module paths (mmcv ``ConvModule``: ``conv`` plus a norm named ``in``/``bn``),
for ``n`` residual blocks and ``L`` = ``num_conv``:

- generator: ``model.0`` stem, ``model.1``-``2`` downsampling, ``model.3`` …
  ``model.{2+n}`` blocks (``block.0`` and ``block.1``, ``block.2`` after a
  dropout), ``model.{3+n}``-``{4+n}`` transposed convs, ``model.{5+n}`` head;
- discriminator: ``model.0`` … ``model.L`` conv modules, ``model.{L+1}`` the
  final bare conv.

MMagic's released CycleGANs see **BGR** images. Converting to ours (RGB)
reverses the input channels of every network's first conv and the output
channels of each generator's last conv; ``keep_bgr=True`` copies the weights
unchanged instead.
"""

import re
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import torch
from torch import Tensor

from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator
from cyclegan_plugin.models.utils import check_state_dict, load_weights_file

__all__ = ['mmagic_to_plugin', 'plugin_to_mmagic', 'MMAGIC_FILE_NAME']

StateDict = Dict[str, Tensor]
PathLike = Union[str, Path]

MMAGIC_FILE_NAME = 'cyclegan_mmagic.pth'
_GROUPS = ('generators', 'discriminators')
# Channel reversals BGR <-> RGB: (key, dim) per network kind.
_FLIPS = {
    'generators': (
        ('stem.conv.weight', 1),
        ('head.conv.weight', 0),
        ('head.conv.bias', 0),
    ),
    'discriminators': (('layers.0.conv.weight', 1),),
}


_MM_MODULE = {
    'generators': re.compile(r'model\.\d+(\.block\.\d+)?\.\w+'),
    'discriminators': re.compile(r'model\.\d+(\.\w+)?'),
}


def _check_mmagic_paths(group: str, mm_paths: Sequence[str], source: str) -> None:
    odd = [p for p in mm_paths if not _MM_MODULE[group].fullmatch(p)]
    if odd:
        raise ValueError(
            f'{source} is not an MMagic CycleGAN {group[:-1]}: unexpected modules '
            f'{odd[:8]} (expected model.<i>.conv, model.<i>.block.<j>.conv, ...)'
        )


def _generator_paths(mm_paths: Sequence[str]) -> Dict[str, str]:
    """MMagic generator module paths → ours."""
    num_blocks = len({p.split('.')[1] for p in mm_paths if '.block.' in p})
    table = {}
    for path in mm_paths:
        parts = path.split('.')  # model.<i>[.block.<j>].<sub>
        i, sub = int(parts[1]), 'conv' if parts[-1] == 'conv' else 'norm'
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
        table[path] = f'{ours}.{sub}'
    return table


def _discriminator_paths(mm_paths: Sequence[str]) -> Dict[str, str]:
    """MMagic discriminator module paths → ours."""
    last = max(int(p.split('.')[1]) for p in mm_paths)
    table = {}
    for path in mm_paths:
        parts = path.split('.')  # model.<i>[.<sub>]
        if int(parts[1]) == last:
            table[path] = 'head'
        else:
            sub = 'conv' if parts[-1] == 'conv' else 'norm'
            table[path] = f'layers.{parts[1]}.{sub}'
    return table


def _norm_cfg(state: Mapping[str, Tensor], norm_key: str) -> dict:
    if f'{norm_key}.running_mean' in state:
        return dict(type='BN')
    return dict(type='IN', affine=f'{norm_key}.weight' in state)


def _our_config(group: str, state: Mapping[str, Tensor], dropout: bool) -> dict:
    """The config of our network that ``state`` (our keys) fits."""
    if group == 'generators':
        stem, head = state['stem.conv.weight'], state['head.conv.weight']
        blocks = {k.split('.')[1] for k in state if k.startswith('blocks.')}
        return dict(
            type='ResnetGenerator',
            in_channels=stem.shape[1],
            out_channels=head.shape[0],
            base_channels=stem.shape[0],
            num_blocks=len(blocks),
            norm_cfg=_norm_cfg(state, 'downsample.0.norm'),
            use_dropout=dropout,
        )
    first = state['layers.0.conv.weight']
    layers = {k.split('.')[1] for k in state if k.startswith('layers.')}
    return dict(
        type='PatchDiscriminator',
        in_channels=first.shape[1],
        base_channels=first.shape[0],
        num_conv=len(layers) - 1,
        norm_cfg=_norm_cfg(state, 'layers.1.norm'),
    )


def _check(group: str, state: StateDict, cfg: dict, source: str) -> None:
    network = ResnetGenerator if group == 'generators' else PatchDiscriminator
    args = {k: v for k, v in cfg.items() if k != 'type'}
    with torch.device('meta'):  # only keys and shapes are compared
        expected = network(**args, init_cfg=None).state_dict()
    check_state_dict(expected, state, source, f'{cfg["type"]}({args})')


def _flip_channels(group: str, state: StateDict) -> StateDict:
    flipped = OrderedDict(state)
    for key, dim in _FLIPS[group]:
        flipped[key] = state[key].flip(dim)
    return flipped


def _rename(state: Mapping[str, Tensor], paths: Mapping[str, str]) -> StateDict:
    renamed = OrderedDict()
    for key, value in state.items():
        path, param = key.rsplit('.', 1)
        renamed[f'{paths[path]}.{param}'] = value
    return renamed


def _split(state: Mapping[str, Tensor], prefix: str) -> StateDict:
    return OrderedDict(
        (k[len(prefix) :], v) for k, v in state.items() if k.startswith(prefix)
    )


def _domains(domains: Optional[Sequence[str]], found: Sequence[str], source: str):
    if domains is None or len(domains) != 2 or domains[0] == domains[1]:
        raise ValueError(
            f"{source}: name MMagic's two domains, ours A then B (--domains A B), "
            f'e.g. --domains horse zebra; got {domains}, the file has {sorted(found)}'
        )
    return tuple(domains)


def mmagic_to_plugin(
    sources: Mapping[str, PathLike],
    domains: Optional[Sequence[str]] = None,
    keep_bgr: bool = False,
) -> dict:
    """Read an MMagic 1.2.0 CycleGAN checkpoint into our layout.

    Args:
        sources (Mapping[str, str | Path]): ``{'checkpoint': path}``.
        domains (Sequence[str]): MMagic's names of our domains A and B, e.g.
            ``('horse', 'zebra')`` (MMagic's ``domain_a``, ``domain_b``).
        keep_bgr (bool): Copy the weights as they are (networks keep seeing
            BGR) instead of reversing their image channels to RGB. Defaults
            to False.

    Returns:
        dict: ``{'meta': ..., 'state_dict': ...}`` with ``generators.{A,B}.*``
        and ``discriminators.{A,B}.*`` (those present). ``meta`` records the
        network configs, the domain names and the channel order.

    Raises:
        ValueError: If ``sources`` lacks the checkpoint, the domains are not
            given or absent from it, or a network does not fit ours.
    """
    if set(sources) != {'checkpoint'}:
        raise ValueError(
            'the mmagic format takes one checkpoint file (positional argument), '
            f'but got {sorted(sources)}'
        )
    path = sources['checkpoint']
    content = load_weights_file(path)
    state = content.get('state_dict', content)
    found = {k.split('.')[1] for k in state if k.startswith(_GROUPS)}
    name_a, name_b = _domains(domains, found, str(path))
    if not {name_a, name_b} <= found:
        raise ValueError(
            f'{path} has networks of domains {sorted(found) or "none"}, not of '
            f'{name_a!r} and {name_b!r}; pass --domains with its names'
        )
    # MMagic names a network by the domain it produces or judges.
    ours_of = {name_b: 'A', name_a: 'B'}
    meta: Dict[str, Any] = dict(
        converted_from='mmagic',
        source_files=dict(checkpoint=str(path)),
        mmagic_domains=[name_a, name_b],
        channel_order='BGR' if keep_bgr else 'RGB',
    )
    converted: StateDict = OrderedDict()
    for group in _GROUPS:
        for mm_domain, ours in ours_of.items():
            mm = _split(state, f'{group}.{mm_domain}.')
            if not mm:
                continue
            modules = sorted({k.rsplit('.', 1)[0] for k in mm})
            source = f'{group}.{mm_domain} of {path}'
            _check_mmagic_paths(group, modules, source)
            paths = (
                _generator_paths if group == 'generators' else _discriminator_paths
            )(modules)
            net = _rename(mm, paths)
            dropout = any('.block.2.' in k for k in mm)
            cfg = _our_config(group, net, dropout)
            _check(group, net, cfg, source)
            if not keep_bgr:
                net = _flip_channels(group, net)
            meta.setdefault(group, {})[ours] = cfg
            converted.update((f'{group}.{ours}.{k}', v) for k, v in net.items())
    return dict(meta=meta, state_dict=converted)


def _mmagic_paths(group: str, state: Mapping[str, Tensor], dropout: bool):
    """Our module paths → MMagic's, read off our (already checked) keys."""
    modules = sorted({k.rsplit('.', 1)[0] for k in state})
    norm = 'bn' if any(k.endswith('running_mean') for k in state) else 'in'
    count = len(
        {p.split('.')[1] for p in modules if p.startswith(('blocks', 'layers'))}
    )
    if group == 'generators':
        owners = {'stem': 0, 'downsample.0': 1, 'downsample.1': 2}
        owners.update({'upsample.0': 3 + count, 'upsample.1': 4 + count})
        owners.update({'head': 5 + count})
        for b in range(count):
            owners[f'blocks.{b}.conv1'] = f'{3 + b}.block.0'
            owners[f'blocks.{b}.conv2'] = f'{3 + b}.block.{2 if dropout else 1}'
    else:
        owners = {f'layers.{i}': i for i in range(count)}
    table = {}
    for path in modules:
        if path == 'head' and group == 'discriminators':
            table[path] = f'model.{count}'
            continue
        owner, sub = path.rsplit('.', 1)
        table[path] = f'model.{owners[owner]}.{"conv" if sub == "conv" else norm}'
    return table


def plugin_to_mmagic(
    checkpoint: Mapping,
    domains: Optional[Sequence[str]] = None,
    keep_bgr: bool = False,
) -> Dict[str, dict]:
    """Write our checkpoint in MMagic 1.2.0's CycleGAN layout.

    Args:
        checkpoint (Mapping): ``{'meta': ..., 'state_dict': ...}`` of ours.
        domains (Sequence[str], optional): MMagic's names for our domains A and
            B. Defaults to those recorded by :func:`mmagic_to_plugin`, if any.
        keep_bgr (bool): Copy the weights as they are instead of reversing
            their image channels to MMagic's BGR. Defaults to False.

    Returns:
        dict[str, dict]: ``{MMAGIC_FILE_NAME: {'meta': ..., 'state_dict': ...}}``,
        loadable into MMagic's ``CycleGAN`` with ``strict=True``.

    Raises:
        ValueError: If the domains are unknown, the checkpoint holds no
            network, or a network is not expressible in MMagic's layout.
    """
    state = checkpoint.get('state_dict', checkpoint)
    meta = checkpoint.get('meta') or {}
    if domains is None:
        domains = meta.get('mmagic_domains')
    name_a, name_b = _domains(domains, ['A', 'B'], 'the plugin checkpoint')
    mm_of = {'A': name_b, 'B': name_a}
    out: StateDict = OrderedDict()
    for group in _GROUPS:
        for ours, mm_domain in mm_of.items():
            net = _split(state, f'{group}.{ours}.')
            if not net:
                continue
            source = f'{group}.{ours} of the checkpoint'
            recorded = (meta.get(group) or {}).get(ours) or {}
            dropout = bool(recorded.get('use_dropout', False))
            _check(group, net, _our_config(group, net, dropout), source)
            if not keep_bgr:
                net = _flip_channels(group, net)
            mm = _rename(net, _mmagic_paths(group, net, dropout))
            out.update((f'{group}.{mm_domain}.{k}', v) for k, v in mm.items())
    if not out:
        raise ValueError(
            'the checkpoint has no key under generators.A/B or discriminators.A/B; '
            'is it a CycleGAN plugin checkpoint?'
        )
    mm_meta = dict(converted_from='cyclegan_plugin', domains=[name_a, name_b])
    return {MMAGIC_FILE_NAME: dict(meta=mm_meta, state_dict=out)}
