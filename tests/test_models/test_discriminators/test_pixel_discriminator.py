"""PixelDiscriminator against a re-statement of the authors' ``PixelDiscriminator``."""

import functools

import pytest
import torch
from torch import nn

from cyclegan_plugin.models.discriminators import PixelDiscriminator
from cyclegan_plugin.registry import MODELS


def _their_pixel_discriminator(input_nc, ndf, norm_layer):
    use_bias = norm_layer.func == nn.InstanceNorm2d
    return nn.Sequential(
        nn.Conv2d(input_nc, ndf, kernel_size=1, stride=1, padding=0),
        nn.LeakyReLU(0.2, True),
        nn.Conv2d(ndf, ndf * 2, kernel_size=1, stride=1, padding=0, bias=use_bias),
        norm_layer(ndf * 2),
        nn.LeakyReLU(0.2, True),
        nn.Conv2d(ndf * 2, 1, kernel_size=1, stride=1, padding=0, bias=use_bias),
    )


@pytest.mark.parametrize(
    'norm_cfg, norm_layer',
    [
        (dict(type='IN'), functools.partial(nn.InstanceNorm2d, affine=False)),
        (dict(type='BN'), functools.partial(nn.BatchNorm2d, affine=True)),
    ],
)
def test_same_function_as_the_authors(norm_cfg, norm_layer):
    ours = PixelDiscriminator(base_channels=8, norm_cfg=norm_cfg)
    theirs = _their_pixel_discriminator(3, 8, norm_layer)
    ours_state, their_state = ours.state_dict(), theirs.state_dict()
    assert [v.shape for v in ours_state.values()] == [
        v.shape for v in their_state.values()
    ]
    torch.manual_seed(0)
    for value in their_state.values():
        if value.is_floating_point():
            value.copy_(torch.randn_like(value))
    ours.load_state_dict(dict(zip(ours_state, their_state.values())))

    x = torch.randn(2, 3, 16, 24)
    scores = ours(x)
    torch.testing.assert_close(scores, theirs(x), rtol=0, atol=1e-6)
    assert scores.shape == (2, 1, 16, 24) and torch.isfinite(scores).all()


def test_registry_init_and_bad_arguments():
    discriminator = MODELS.build(dict(type='PixelDiscriminator', base_channels=4))
    discriminator.init_weights()
    assert (
        discriminator.head.bias is not None and discriminator.head.bias.abs().sum() == 0
    )
    assert PixelDiscriminator(norm_cfg=dict(type='BN')).head.bias is None
    with pytest.raises(ValueError, match='base_channels=0'):
        PixelDiscriminator(base_channels=0)
