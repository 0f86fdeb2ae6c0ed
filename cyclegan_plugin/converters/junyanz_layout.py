"""Where the CycleGAN authors' checkpoints keep each layer, and how to read it off.

The authors' networks are ``nn.Sequential``s called ``model``:

- ResNet generator: ``model.1`` first conv, ``model.4`` and ``model.7``
  downsampling convs, ``model.10`` … residual blocks (``conv_block.1`` and
  ``conv_block.5``, or ``.6`` when dropout sits between them), then the
  transposed convs and the last conv at ``model.{10+n}``, ``model.{13+n}``,
  ``model.{17+n}`` for ``n`` blocks;
- PatchGAN discriminator with ``n_layers`` L: convs at ``model.0``,
  ``model.{3k-1}`` for k = 1..L, and ``model.{3L+2}``.

Their instance norm has no tensors; third-party files with
``InstanceNorm2d(affine=True)`` add ``weight``/``bias`` at the entry right after
each normalised conv. Both variants, the number of blocks/layers, dropout and
the channel counts are read off the keys and shapes.
"""

from typing import Callable, Dict, Mapping, NamedTuple, Optional, Type

from torch import Tensor, nn

from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator

__all__ = ['KINDS', 'NetworkKind', 'discriminator_paths', 'generator_paths']


def _conv_norm(theirs: str, ours: str, affine: bool) -> Dict[str, str]:
    # The authors' norm is the Sequential entry right after its conv.
    table = {theirs: f'{ours}.conv'}
    if affine:
        parent, index = theirs.rsplit('.', 1)
        table[f'{parent}.{int(index) + 1}'] = f'{ours}.norm'
    return table


def generator_paths(cfg: dict) -> Dict[str, str]:
    """The authors' module paths → ours, for a ResnetGenerator config."""
    affine = cfg['norm_cfg'].get('affine', False)
    num_blocks = cfg['num_blocks']
    table = _conv_norm('model.1', 'stem', affine)
    table.update(_conv_norm('model.4', 'downsample.0', affine))
    table.update(_conv_norm('model.7', 'downsample.1', affine))
    second = 6 if cfg['use_dropout'] else 5  # Dropout(0.5) shifts the 2nd conv
    for i in range(num_blocks):
        block = f'model.{10 + i}.conv_block'
        table.update(_conv_norm(f'{block}.1', f'blocks.{i}.conv1', affine))
        table.update(_conv_norm(f'{block}.{second}', f'blocks.{i}.conv2', affine))
    up = 10 + num_blocks
    table.update(_conv_norm(f'model.{up}', 'upsample.0', affine))
    table.update(_conv_norm(f'model.{up + 3}', 'upsample.1', affine))
    table[f'model.{up + 7}'] = 'head.conv'
    return table


def discriminator_paths(cfg: dict) -> Dict[str, str]:
    """The authors' module paths → ours, for a PatchDiscriminator config."""
    affine = cfg['norm_cfg'].get('affine', False)
    num_conv = cfg['num_conv']
    table = {'model.0': 'layers.0.conv'}
    for k in range(1, num_conv + 1):
        table.update(_conv_norm(f'model.{3 * k - 1}', f'layers.{k}', affine))
    table[f'model.{3 * num_conv + 2}'] = 'head'
    return table


def _first_conv(
    state_dict: Mapping[str, Tensor], key: str, source: str, what: str
) -> Tensor:
    weight = state_dict.get(key)
    if not isinstance(weight, Tensor) or weight.dim() != 4:
        keys = ', '.join(list(state_dict)[:8])
        raise ValueError(
            f'{source} is not {what}: it has no 4-D {key!r} (the first conv). '
            f'Its first keys: {keys}'
        )
    return weight


def _channels(state_dict: Mapping[str, Tensor], key: str, default: int) -> int:
    # A missing head is reported by the key check that follows, not here.
    weight = state_dict.get(key)
    return (
        weight.shape[0] if isinstance(weight, Tensor) and weight.dim() == 4 else default
    )


def _theirs_generator(state_dict: Mapping[str, Tensor], source: str) -> dict:
    stem = _first_conv(state_dict, 'model.1.weight', source, 'a ResNet generator')
    num_blocks = len({key.split('.')[1] for key in state_dict if '.conv_block.' in key})
    second = state_dict.get('model.10.conv_block.6.weight')
    return dict(
        type='ResnetGenerator',
        in_channels=stem.shape[1],
        out_channels=_channels(state_dict, f'model.{17 + num_blocks}.weight', 3),
        base_channels=stem.shape[0],
        num_blocks=num_blocks,
        norm_cfg=dict(type='IN', affine='model.2.weight' in state_dict),
        use_dropout=isinstance(second, Tensor) and second.dim() == 4,
    )


def _ours_generator(
    state_dict: Mapping[str, Tensor], source: str, meta_cfg: Optional[dict]
) -> dict:
    stem = _first_conv(state_dict, 'stem.conv.weight', source, 'a ResnetGenerator')
    return dict(
        type='ResnetGenerator',
        in_channels=stem.shape[1],
        out_channels=_channels(state_dict, 'head.conv.weight', 3),
        base_channels=stem.shape[0],
        num_blocks=len(
            {key.split('.')[1] for key in state_dict if key.startswith('blocks.')}
        ),
        norm_cfg=dict(type='IN', affine='stem.norm.weight' in state_dict),
        # Dropout has no weights; only a config recorded in the meta tells.
        use_dropout=bool((meta_cfg or {}).get('use_dropout', False)),
    )


def _is_layer_key(key: str) -> bool:
    parts = key.split('.')
    return len(parts) == 3 and parts[0] == 'model' and parts[1].isdigit()


def _theirs_discriminator(state_dict: Mapping[str, Tensor], source: str) -> dict:
    first = _first_conv(
        state_dict, 'model.0.weight', source, 'a PatchGAN discriminator'
    )
    indices = [int(key.split('.')[1]) for key in state_dict if _is_layer_key(key)]
    return dict(
        type='PatchDiscriminator',
        in_channels=first.shape[1],
        base_channels=first.shape[0],
        num_conv=max((max(indices) - 2) // 3, 1),
        norm_cfg=dict(type='IN', affine='model.3.weight' in state_dict),
    )


def _ours_discriminator(
    state_dict: Mapping[str, Tensor], source: str, meta_cfg: Optional[dict]
) -> dict:
    first = _first_conv(
        state_dict, 'layers.0.conv.weight', source, 'a PatchDiscriminator'
    )
    layers = {key.split('.')[1] for key in state_dict if key.startswith('layers.')}
    return dict(
        type='PatchDiscriminator',
        in_channels=first.shape[1],
        base_channels=first.shape[0],
        num_conv=max(len(layers) - 1, 1),
        norm_cfg=dict(type='IN', affine='layers.1.norm.weight' in state_dict),
    )


class NetworkKind(NamedTuple):
    """How one kind of network is laid out in the authors' files and in ours.

    Attributes:
        network (type): Our class, built from a detected config.
        detect_theirs (Callable): ``(authors' state_dict, source) -> config``.
        detect_ours (Callable): ``(our state_dict, source, recorded config or
            None) -> config``.
        paths (Callable): ``config -> {authors' module path: our module path}``.
    """

    network: Type[nn.Module]
    detect_theirs: Callable[[Mapping[str, Tensor], str], dict]
    detect_ours: Callable[[Mapping[str, Tensor], str, Optional[dict]], dict]
    paths: Callable[[dict], Dict[str, str]]


# Keyed by the first letter of the authors' network name.
KINDS: Dict[str, NetworkKind] = {
    'G': NetworkKind(
        ResnetGenerator, _theirs_generator, _ours_generator, generator_paths
    ),
    'D': NetworkKind(
        PatchDiscriminator,
        _theirs_discriminator,
        _ours_discriminator,
        discriminator_paths,
    ),
}
