"""The CycleGAN authors' checkpoints (junyanz/pytorch-CycleGAN-and-pix2pix).

The authors save one file per network, ``latest_net_{G_A,G_B,D_A,D_B}.pth``,
each a state_dict in the layout :mod:`.junyanz_layout` describes. Conversion
renames module paths through that layout and checks every key and shape
against our network built with the detected settings, in both directions.
"""

from collections import OrderedDict
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple, Union

from torch import Tensor

from cyclegan_plugin.models.weights import check_state_dict, load_weights_file

from .junyanz_layout import KINDS
from .state_dicts import (
    NO_NETWORK_MESSAGE,
    StateDict,
    expected_state_dict,
    rename_modules,
)

__all__ = ['JUNYANZ_ROLES', 'junyanz_to_plugin', 'plugin_to_junyanz']

# The authors' network names and where the plugin's CycleGAN keeps them.
JUNYANZ_ROLES: Dict[str, str] = {
    'G_A': 'generators.A',
    'G_B': 'generators.B',
    'D_A': 'discriminators.A',
    'D_B': 'discriminators.B',
}

_SUPPORTED = (
    "the authors' layout holds instance-norm ResNet generators with deconv "
    'upsampling and PatchGAN discriminators'
)


def _describe(cfg: dict) -> str:
    args = ', '.join(f'{key}={value!r}' for key, value in cfg.items() if key != 'type')
    return f'{cfg["type"]}({args})'


def _to_ours(
    role: str, theirs: Mapping[str, Tensor], source: str
) -> Tuple[StateDict, dict]:
    kind = KINDS[role[0]]
    cfg = kind.detect_theirs(theirs, source)
    to_theirs = {ours: path for path, ours in kind.paths(cfg).items()}
    expected = rename_modules(expected_state_dict(kind.network, cfg), to_theirs)
    check_state_dict(
        expected, theirs, source, f"the authors' layout of {_describe(cfg)}"
    )
    return rename_modules({key: theirs[key] for key in expected}, kind.paths(cfg)), cfg


def _to_theirs(
    role: str, ours: Mapping[str, Tensor], source: str, meta_cfg: Optional[dict]
) -> StateDict:
    kind = KINDS[role[0]]
    cfg = kind.detect_ours(ours, source, meta_cfg)
    expected = expected_state_dict(kind.network, cfg)
    check_state_dict(expected, ours, source, f'{_describe(cfg)} ({_SUPPORTED})')
    to_theirs = {ours_path: path for path, ours_path in kind.paths(cfg).items()}
    return rename_modules({key: ours[key] for key in expected}, to_theirs)


def junyanz_to_plugin(sources: Mapping[str, Union[str, Path]]) -> dict:
    """Read the authors' per-network files into one plugin checkpoint.

    Args:
        sources (Mapping[str, str | Path]): Files by the authors' network name,
            'G_A', 'G_B', 'D_A', 'D_B'; any subset (a generator alone is enough).

    Returns:
        dict: ``{'meta': ..., 'state_dict': ...}`` with keys
        ``generators.{A,B}.*`` and ``discriminators.{A,B}.*``. ``meta`` records
        the detected network configs (``meta['generators']['A']`` is a
        ``ResnetGenerator`` config) and the source files.

    Raises:
        ValueError: If a name is unknown, no file is given, or a file does not
            fit the layout (listing missing/unexpected keys and shape mismatches).
    """
    unknown = sorted(set(sources) - set(JUNYANZ_ROLES))
    if unknown or not sources:
        raise ValueError(
            'the junyanz format takes one file per network, named '
            f'{sorted(JUNYANZ_ROLES)} (--G-A, --G-B, --D-A, --D-B), but got '
            f'{sorted(sources) or "none"}'
        )
    state_dict: StateDict = OrderedDict()
    meta: dict = dict(converted_from='junyanz', source_files={})
    for role, prefix in JUNYANZ_ROLES.items():
        if role not in sources:
            continue
        path = sources[role]
        ours, cfg = _to_ours(role, load_weights_file(path), f'{role} file {path}')
        group, domain = prefix.split('.')
        meta.setdefault(group, {})[domain] = cfg
        meta['source_files'][role] = str(path)
        state_dict.update((f'{prefix}.{key}', value) for key, value in ours.items())
    return dict(meta=meta, state_dict=state_dict)


def plugin_to_junyanz(checkpoint: Mapping) -> Dict[str, StateDict]:
    """Split a plugin checkpoint into the authors' per-network state_dicts.

    Args:
        checkpoint (Mapping): ``{'meta': ..., 'state_dict': ...}`` as written by
            :func:`junyanz_to_plugin` or MMEngine. Keys outside
            ``generators.{A,B}`` / ``discriminators.{A,B}`` are not networks and
            are left out. A generator's ``use_dropout`` (which changes the
            authors' key numbering but has no weights) is read from
            ``meta['generators'][domain]`` when recorded, else False.

    Returns:
        dict[str, dict]: ``latest_net_{G_A,G_B,D_A,D_B}.pth`` → state_dict,
        only for the networks present.

    Raises:
        ValueError: If the checkpoint holds none of the four networks, or one
            of them is not expressible in the authors' layout.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    meta = checkpoint.get('meta') or {}
    files = {}
    for role, prefix in JUNYANZ_ROLES.items():
        ours = OrderedDict(
            (key[len(prefix) + 1 :], value)
            for key, value in state_dict.items()
            if key.startswith(prefix + '.')
        )
        if not ours:
            continue
        group, domain = prefix.split('.')
        meta_cfg = (meta.get(group) or {}).get(domain)
        files[f'latest_net_{role}.pth'] = _to_theirs(
            role, ours, f'{prefix} of the checkpoint', meta_cfg
        )
    if not files:
        raise ValueError(NO_NETWORK_MESSAGE)
    return files
