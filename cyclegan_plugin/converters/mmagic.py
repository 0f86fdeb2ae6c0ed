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

The module paths are in :mod:`.mmagic_layout`.

MMagic's released CycleGANs see **BGR** images. Converting to ours (RGB)
reverses the input channels of every network's first conv and the output
channels of each generator's last conv; ``keep_bgr=True`` copies the weights
unchanged instead.
"""

from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from torch import Tensor

from cyclegan_plugin.models.weights import check_state_dict, load_weights_file

from .mmagic_layout import MMAGIC_LAYOUTS, NetworkLayout
from .state_dicts import (
    NO_NETWORK_MESSAGE,
    StateDict,
    expected_state_dict,
    rename_modules,
)

__all__ = ['mmagic_to_plugin', 'plugin_to_mmagic', 'MMAGIC_FILE_NAME']

PathLike = Union[str, Path]

MMAGIC_FILE_NAME = 'cyclegan_mmagic.pth'
_GROUPS = tuple(MMAGIC_LAYOUTS)  # 'generators', 'discriminators'


def _modules(state: Mapping[str, Tensor]) -> List[str]:
    return sorted({k.rsplit('.', 1)[0] for k in state})


def _check_mmagic_paths(
    kind: NetworkLayout, modules: Sequence[str], source: str
) -> None:
    odd = [p for p in modules if not kind.mm_module.fullmatch(p)]
    if odd:
        raise ValueError(
            f'{source} is not an MMagic CycleGAN network: unexpected modules '
            f'{odd[:8]} (expected model.<i>.conv, model.<i>.block.<j>.conv, ...)'
        )


def _checked_config(
    kind: NetworkLayout, state: StateDict, dropout: bool, source: str
) -> dict:
    """Our network config that ``state`` (our keys) fits, else ValueError."""
    try:
        cfg = kind.config(state, dropout)
    except KeyError as err:
        raise ValueError(
            f'{source} lacks {err}: not a {kind.network.__name__}'
        ) from err
    args = {k: v for k, v in cfg.items() if k != 'type'}
    expected = expected_state_dict(kind.network, cfg)
    check_state_dict(expected, state, source, f'{cfg["type"]}({args})')
    return cfg


def _flip_channels(kind: NetworkLayout, state: StateDict) -> StateDict:
    flipped = OrderedDict(state)
    for key, dim in kind.flips:
        flipped[key] = state[key].flip(dim)
    return flipped


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
            kind, mm = MMAGIC_LAYOUTS[group], _split(state, f'{group}.{mm_domain}.')
            if not mm:
                continue
            source = f'{group}.{mm_domain} of {path}'
            _check_mmagic_paths(kind, _modules(mm), source)
            net = rename_modules(mm, kind.to_ours(_modules(mm)))
            dropout = any('.block.2.' in k for k in mm)
            cfg = _checked_config(kind, net, dropout, source)
            if not keep_bgr:
                net = _flip_channels(kind, net)
            meta.setdefault(group, {})[ours] = cfg
            converted.update((f'{group}.{ours}.{k}', v) for k, v in net.items())
    return dict(meta=meta, state_dict=converted)


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
            kind, net = MMAGIC_LAYOUTS[group], _split(state, f'{group}.{ours}.')
            if not net:
                continue
            source = f'{group}.{ours} of the checkpoint'
            # Dropout has no weights: only a recorded config tells.
            recorded = (meta.get(group) or {}).get(ours) or {}
            dropout = bool(recorded.get('use_dropout', False))
            _checked_config(kind, net, dropout, source)
            if not keep_bgr:
                net = _flip_channels(kind, net)
            norm = 'bn' if any(k.endswith('running_mean') for k in net) else 'in'
            mm = rename_modules(net, kind.to_mmagic(_modules(net), norm, dropout))
            out.update((f'{group}.{mm_domain}.{k}', v) for k, v in mm.items())
    if not out:
        raise ValueError(NO_NETWORK_MESSAGE)
    mm_meta = dict(converted_from='cyclegan_plugin', domains=[name_a, name_b])
    return {MMAGIC_FILE_NAME: dict(meta=mm_meta, state_dict=out)}
