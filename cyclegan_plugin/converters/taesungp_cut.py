"""The CUT authors' checkpoints (taesungp/contrastive-unpaired-translation).

They save ``latest_net_G.pth``, ``latest_net_F.pth`` and ``latest_net_D.pth``,
each the state_dict of one network: G and D are ``nn.Sequential`` (``model.<i>``),
F holds ``mlp_<i>`` heads. The module paths are derived from our networks
themselves: the authors' G index ``i`` is ``ResnetGenerator.feature_layers()[i]``
(see its docstring), D's index counts the children of our PatchGAN's units in
order, and ``mlp_<i>`` is ``mlps.<i>``. Their blur layers hold their filter as
a buffer (``filt``), ours do not: it is checked against ours when reading and
written from ours when writing. A built :class:`CUT` says which networks the
files hold (its config), so nothing is guessed from shapes.
"""

from collections import OrderedDict
from pathlib import Path
from typing import Dict, Mapping, Union

from torch import Tensor, nn

from cyclegan_plugin.models.weights import check_state_dict, load_weights_file

from .state_dicts import StateDict

__all__ = [
    'CUT_ROLES',
    'build_cut',
    'cut_module_paths',
    'cut_to_plugin',
    'plugin_to_cut',
]

# The authors' network names and where the plugin's CUT keeps them.
CUT_ROLES: Dict[str, str] = {
    'G': 'generators.A',
    'F': 'generators.F',
    'D': 'discriminators.A',
}


def _generator_paths(generator: nn.Module) -> Dict[str, str]:
    paths = {}
    for i, name in enumerate(generator.feature_layers()):
        if name.startswith('blocks.'):
            block = generator.get_submodule(name)
            # Their ResnetBlock: pad, conv, norm, ReLU, [dropout,] pad, conv, norm.
            second = 6 if hasattr(block.conv1, 'dropout') else 5
            paths[f'{name}.conv1.conv'] = f'model.{i}.conv_block.1'
            paths[f'{name}.conv2.conv'] = f'model.{i}.conv_block.{second}'
        elif not name.endswith('.pad'):
            paths[name] = f'model.{i}'
    return paths


def _discriminator_paths(discriminator: nn.Module) -> Dict[str, str]:
    names = [
        f'layers.{k}.{child}'
        for k, unit in enumerate(discriminator.layers)
        for child, _ in unit.named_children()
    ]
    return {name: f'model.{i}' for i, name in enumerate(names + ['head'])}


def _sampler_paths(sampler: nn.Module) -> Dict[str, str]:
    # Each head is Linear, ReLU, Linear in both: mlps.<i>.<j> is mlp_<i>.<j>.
    return {
        f'mlps.{i}.{j}': f'mlp_{i}.{j}'
        for i, head in enumerate(sampler.mlps)
        for j in range(len(head))
    }


def cut_module_paths(model: nn.Module) -> Dict[str, Dict[str, str]]:
    """Our module path → the authors' one, per authors' network name.

    Args:
        model (nn.Module): A built :class:`~cyclegan_plugin.models.CUT`.

    Returns:
        dict[str, dict[str, str]]: For 'G', 'F' and 'D'.
    """
    return dict(
        G=_generator_paths(model.generators.A),
        F=_sampler_paths(model.generators.F),
        D=_discriminator_paths(model.discriminators.A),
    )


def _theirs_of(key: str, paths: Mapping[str, str]) -> str:
    module, _, tensor = key.rpartition('.')
    return f'{paths[module]}.{tensor}'


def _blur_buffers(network: nn.Module, paths: Mapping[str, str]) -> StateDict:
    """The authors' ``filt`` buffers of a network, from our blur layers."""
    return OrderedDict(
        (f'{paths[name]}.filt', module.filt)
        for name, module in network.named_modules()
        if name in paths and hasattr(module, 'filt')
    )


def build_cut(model: Union[nn.Module, str, Path]) -> nn.Module:
    """The CUT whose layout a conversion uses: built, or from a config file.

    Args:
        model (nn.Module | str | Path): A built CUT, or a config whose
            ``model`` is one (its weights are not used).

    Returns:
        nn.Module: The model.

    Raises:
        ValueError: If the config's model is not a CUT.
    """
    if isinstance(model, nn.Module):
        return model
    from mmengine.config import Config

    from cyclegan_plugin.registry import MODELS

    cfg = Config.fromfile(str(model)).model
    if cfg.get('type') != 'CUT':
        raise ValueError(
            f'the CUT format needs a CUT config, but {model} has model '
            f'type {cfg.get("type")!r}'
        )
    return MODELS.build(cfg)


def _network(model: nn.Module, role: str) -> nn.Module:
    return model.get_submodule(CUT_ROLES[role])


def cut_to_plugin(
    sources: Mapping[str, Union[str, Path, Mapping[str, Tensor]]],
    model: Union[nn.Module, str, Path],
) -> dict:
    """Read the authors' per-network files into one plugin checkpoint.

    Args:
        sources (Mapping): Files (or loaded state_dicts) by the authors'
            network name, 'G', 'F', 'D'; any non-empty subset.
        model (nn.Module | str | Path): The :class:`CUT` the weights are
            for, or its config file (its networks give the layout).

    Returns:
        dict: ``{'meta': ..., 'state_dict': ...}`` with keys
        ``generators.A.*``, ``generators.F.*``, ``discriminators.A.*``.

    Raises:
        ValueError: If a name is unknown, no file is given, a file does not
            fit the model's network, or a blur filter is not ours.
    """
    unknown = sorted(set(sources) - set(CUT_ROLES))
    if unknown or not sources:
        raise ValueError(
            f'the CUT format takes one file per network, named {sorted(CUT_ROLES)}, '
            f'but got {sorted(sources) or "none"}'
        )
    model = build_cut(model)
    all_paths = cut_module_paths(model)
    state_dict: StateDict = OrderedDict()
    meta: dict = dict(converted_from='taesungp_cut', source_files={})
    for role, prefix in CUT_ROLES.items():
        if role not in sources:
            continue
        source = sources[role]
        theirs = source if isinstance(source, Mapping) else load_weights_file(source)
        where = f'{role} file {source if not isinstance(source, Mapping) else ""}'
        network, paths = _network(model, role), all_paths[role]
        ours = network.state_dict()
        filters = _blur_buffers(network, paths)
        expected = OrderedDict((_theirs_of(k, paths), v) for k, v in ours.items())
        check_state_dict({**expected, **filters}, theirs, where.strip(), f'CUT {role}')
        for key, filt in filters.items():
            if not filt.cpu().equal(theirs[key].cpu()):
                raise ValueError(
                    f'{where.strip()}: {key} is not the binomial blur filter'
                )
        state_dict.update(
            (f'{prefix}.{key}', theirs[_theirs_of(key, paths)]) for key in ours
        )
        if not isinstance(source, Mapping):
            meta['source_files'][role] = str(source)
    return dict(meta=meta, state_dict=state_dict)


def plugin_to_cut(
    checkpoint: Mapping, model: Union[nn.Module, str, Path]
) -> Dict[str, StateDict]:
    """Split a plugin CUT checkpoint into the authors' per-network state_dicts.

    Args:
        checkpoint (Mapping): ``{'state_dict': ...}`` (or a bare state_dict).
        model (nn.Module | str | Path): The :class:`CUT` the checkpoint is
            of, or its config file.

    Returns:
        dict[str, dict]: ``latest_net_{G,F,D}.pth`` → state_dict, for the
        networks present, with the blur filters the authors' layers hold.

    Raises:
        ValueError: If the checkpoint holds none of the networks, or one does
            not fit the model's.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    model = build_cut(model)
    all_paths = cut_module_paths(model)
    files = {}
    for role, prefix in CUT_ROLES.items():
        ours = OrderedDict(
            (key[len(prefix) + 1 :], value)
            for key, value in state_dict.items()
            if key.startswith(prefix + '.')
        )
        if not ours:
            continue
        network, paths = _network(model, role), all_paths[role]
        check_state_dict(
            network.state_dict(), ours, f'{prefix} of the checkpoint', f'CUT {role}'
        )
        theirs = OrderedDict((_theirs_of(k, paths), v) for k, v in ours.items())
        theirs.update((k, v.clone()) for k, v in _blur_buffers(network, paths).items())
        # The authors' Sequential order: by module index, as torch saves them.
        files[f'latest_net_{role}.pth'] = theirs
    if not files:
        raise ValueError(
            'the checkpoint holds none of generators.A, generators.F, discriminators.A'
        )
    return files
