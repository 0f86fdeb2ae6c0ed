"""BaseNetwork.init_weights: the authors' init, strict Pretrained, MMEngine's init."""

import math

import pytest
import torch
from mmengine.model import BaseModule

from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator


def _generator(**kwargs):
    return ResnetGenerator(base_channels=8, num_blocks=2, **kwargs)


def _save_plugin_checkpoint(path, generator):
    state = {f'generators.A.{k}': v for k, v in generator.state_dict().items()}
    state['discriminators.A.head.weight'] = torch.zeros(1, 64, 4, 4)
    torch.save({'meta': {'iter': 10}, 'state_dict': state}, path)


def test_default_init_is_the_authors_normal():
    torch.manual_seed(0)
    discriminator = PatchDiscriminator(base_channels=16)
    discriminator.init_weights()
    weight = discriminator.layers[3].conv.weight.detach()
    assert weight.std().item() == pytest.approx(0.02, rel=0.05)
    assert all(
        torch.count_nonzero(layer.conv.bias) == 0 for layer in discriminator.layers
    )
    assert discriminator.is_init


def test_init_type_and_gain_come_from_init_cfg():
    torch.manual_seed(0)
    discriminator = PatchDiscriminator(base_channels=16, init_cfg=dict(type='kaiming'))
    discriminator.init_weights()
    weight = discriminator.layers[3].conv.weight.detach()
    assert weight.std().item() == pytest.approx(math.sqrt(2 / (64 * 16)), rel=0.05)

    discriminator = PatchDiscriminator(init_cfg=dict(type='normal', gain=0.1))
    discriminator.init_weights()
    assert discriminator.layers[3].conv.weight.std().item() == pytest.approx(
        0.1, rel=0.05
    )


def test_pretrained_loads_the_weights(tmp_path):
    source = _generator()
    source.init_weights()
    path = tmp_path / 'iter_10.pth'
    _save_plugin_checkpoint(path, source)

    loaded = _generator(
        init_cfg=dict(type='Pretrained', checkpoint=str(path), prefix='generators.A')
    )
    before = loaded.stem.conv.weight.detach().clone()
    loaded.init_weights()

    assert not torch.equal(before, loaded.stem.conv.weight)
    for key, value in source.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    x = torch.rand(1, 3, 16, 16)
    assert torch.equal(loaded(x), source(x))


def test_pretrained_through_a_parent_module(tmp_path):
    # How MMEngine's Runner reaches the networks: the model's init_weights.
    source = _generator()
    source.init_weights()
    path = tmp_path / 'g.pth'
    torch.save(source.state_dict(), path)  # a bare state_dict works too

    class Parent(BaseModule):
        def __init__(self):
            super().__init__()
            self.A = _generator(init_cfg=dict(type='Pretrained', checkpoint=str(path)))
            self.B = _generator()

    parent = Parent()
    parent.init_weights()
    assert torch.equal(parent.A.stem.conv.weight, source.stem.conv.weight)
    assert torch.count_nonzero(parent.B.stem.conv.bias) == 0  # normal init ran


def test_pretrained_mismatch_loads_nothing(tmp_path):
    path = tmp_path / 'other.pth'
    _save_plugin_checkpoint(path, _generator())
    bigger = ResnetGenerator(
        base_channels=8,
        num_blocks=3,
        init_cfg=dict(type='Pretrained', checkpoint=str(path), prefix='generators.A.'),
    )
    before = {k: v.clone() for k, v in bigger.state_dict().items()}
    with pytest.raises(
        ValueError, match=r'missing keys \(4\): blocks\.2\.conv1\.conv\.weight'
    ):
        bigger.init_weights()
    assert all(torch.equal(v, before[k]) for k, v in bigger.state_dict().items())

    wrong_prefix = _generator(
        init_cfg=dict(type='Pretrained', checkpoint=str(path), prefix='generators.B')
    )
    with pytest.raises(ValueError, match="prefix 'generators.B.'"):
        wrong_prefix.init_weights()


def test_pretrained_authors_file_points_to_the_converter(tmp_path):
    path = tmp_path / 'latest_net_G_A.pth'
    torch.save({'model.1.weight': torch.zeros(8, 3, 7, 7)}, path)
    generator = _generator(init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(ValueError, match='tools/convert_checkpoint.py'):
        generator.init_weights()


def test_mmengine_initializers_still_work():
    torch.manual_seed(0)
    discriminator = PatchDiscriminator(
        base_channels=16, init_cfg=dict(type='Normal', std=0.5, layer='Conv2d')
    )
    discriminator.init_weights()
    assert discriminator.layers[3].conv.weight.std().item() == pytest.approx(
        0.5, rel=0.05
    )


def test_bad_init_cfg_raises():
    with pytest.raises(ValueError, match='needs a checkpoint'):
        _generator(init_cfg=dict(type='Pretrained'))
    with pytest.raises(ValueError, match="'strict'"):
        _generator(init_cfg=dict(type='Pretrained', checkpoint='x.pth', strict=False))
    with pytest.raises(ValueError, match='takes only "gain"'):
        _generator(init_cfg=dict(type='xavier', std=1))
