"""PatchDiscriminator: the 70x70 PatchGAN's size and map shapes, every option.

Equality with the authors' ``NLayerDiscriminator`` is checked in
tests/test_converters/test_junyanz.py, which converts their weights.
"""

import pytest
import torch
from torch import nn

from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.registry import MODELS


def test_default_is_the_70x70_patchgan():
    discriminator = PatchDiscriminator()
    assert sum(p.numel() for p in discriminator.parameters()) == 2_764_737
    discriminator.init_weights()
    with torch.no_grad():
        scores = discriminator(torch.rand(1, 3, 256, 256) * 2 - 1)
    assert scores.shape == (1, 1, 30, 30)
    assert torch.isfinite(scores).all()


def test_layers_follow_the_paper():
    discriminator = PatchDiscriminator(base_channels=4)
    convs = [layer.conv for layer in discriminator.layers] + [discriminator.head]
    assert [c.out_channels for c in convs] == [4, 8, 16, 32, 1]
    assert [c.stride for c in convs] == [(2, 2), (2, 2), (2, 2), (1, 1), (1, 1)]
    assert all(c.kernel_size == (4, 4) and c.padding == (1, 1) for c in convs)
    assert not hasattr(discriminator.layers[0], 'norm')  # C64 has no norm
    assert all(
        isinstance(layer.norm, nn.InstanceNorm2d) for layer in discriminator.layers[1:]
    )
    assert discriminator.layers[0].act.negative_slope == 0.2


@pytest.mark.parametrize(
    'options, size, out',
    [
        (dict(), 64, 6),
        (dict(num_conv=1), 32, 14),
        (dict(num_conv=2), 32, 6),
        (dict(num_conv=5), 128, 2),
        (dict(norm_cfg=dict(type='BN')), 64, 6),
        (dict(norm_cfg=dict(type='IN', affine=True)), 64, 6),
        (dict(norm_cfg=None), 64, 6),
        (dict(in_channels=1), 48, 4),
    ],
    ids=str,
)
def test_score_map_shape_and_gradient(options, size, out):
    discriminator = PatchDiscriminator(**{'base_channels': 4, **options})
    discriminator.init_weights()
    x = torch.randn(2, options.get('in_channels', 3), size, size, requires_grad=True)
    scores = discriminator(x)
    assert scores.shape == (2, 1, out, out)
    assert torch.isfinite(scores).all()
    scores.mean().backward()
    assert x.grad.abs().sum() > 0


def test_conv_bias_follows_the_norm():
    with_bn = PatchDiscriminator(base_channels=4, norm_cfg=dict(type='BN'))
    assert with_bn.layers[1].conv.bias is None
    assert with_bn.layers[0].conv.bias is not None and with_bn.head.bias is not None
    assert PatchDiscriminator(base_channels=4).layers[1].conv.bias is not None


def test_registry_and_bad_arguments():
    built = MODELS.build(dict(type='PatchDiscriminator', base_channels=4, num_conv=2))
    assert isinstance(built, PatchDiscriminator)
    with pytest.raises(ValueError, match='num_conv=0'):
        PatchDiscriminator(num_conv=0)
    with pytest.raises(ValueError, match="'FancyNorm'"):
        PatchDiscriminator(norm_cfg=dict(type='FancyNorm'))
