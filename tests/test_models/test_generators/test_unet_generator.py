"""UnetGenerator against a re-statement of the authors' recursive U-Net.

``_TheirUnetGenerator``/``_TheirSkipBlock`` re-state the authors'
``UnetGenerator``/``UnetSkipConnectionBlock`` (models/networks.py), in-place
activations included: those make the skip carry the activated features.
"""

import functools

import pytest
import torch
from torch import nn

from cyclegan_plugin.models.generators import UnetGenerator
from cyclegan_plugin.registry import MODELS


class _TheirSkipBlock(nn.Module):
    def __init__(
        self,
        outer_nc,
        inner_nc,
        input_nc=None,
        submodule=None,
        outermost=False,
        innermost=False,
        norm_layer=nn.BatchNorm2d,
        use_dropout=False,
    ):
        super().__init__()
        self.outermost = outermost
        use_bias = norm_layer.func == nn.InstanceNorm2d
        input_nc = outer_nc if input_nc is None else input_nc
        downconv = nn.Conv2d(input_nc, inner_nc, 4, stride=2, padding=1, bias=use_bias)
        downrelu = nn.LeakyReLU(0.2, True)
        downnorm = norm_layer(inner_nc)
        uprelu = nn.ReLU(True)
        upnorm = norm_layer(outer_nc)
        if outermost:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, stride=2, padding=1)
            model = [downconv, submodule, uprelu, upconv, nn.Tanh()]
        elif innermost:
            upconv = nn.ConvTranspose2d(
                inner_nc, outer_nc, 4, stride=2, padding=1, bias=use_bias
            )
            model = [downrelu, downconv, uprelu, upconv, upnorm]
        else:
            upconv = nn.ConvTranspose2d(
                inner_nc * 2, outer_nc, 4, stride=2, padding=1, bias=use_bias
            )
            model = [downrelu, downconv, downnorm, submodule, uprelu, upconv, upnorm]
            if use_dropout:
                model += [nn.Dropout(0.5)]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], 1)


class _TheirUnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, num_downs, ngf, norm_layer, use_dropout):
        super().__init__()
        kwargs = dict(input_nc=None, norm_layer=norm_layer)
        block = _TheirSkipBlock(ngf * 8, ngf * 8, innermost=True, **kwargs)
        for _ in range(num_downs - 5):
            block = _TheirSkipBlock(
                ngf * 8, ngf * 8, submodule=block, use_dropout=use_dropout, **kwargs
            )
        block = _TheirSkipBlock(ngf * 4, ngf * 8, submodule=block, **kwargs)
        block = _TheirSkipBlock(ngf * 2, ngf * 4, submodule=block, **kwargs)
        block = _TheirSkipBlock(ngf, ngf * 2, submodule=block, **kwargs)
        self.model = _TheirSkipBlock(
            output_nc,
            ngf,
            input_nc=input_nc,
            submodule=block,
            outermost=True,
            norm_layer=norm_layer,
        )

    def forward(self, x):
        return self.model(x)


NORMS = {
    'IN': (dict(type='IN'), functools.partial(nn.InstanceNorm2d, affine=False)),
    'BN': (dict(type='BN'), functools.partial(nn.BatchNorm2d, affine=True)),
}


def _pair(norm, num_downs, use_dropout, ngf=4):
    norm_cfg, norm_layer = NORMS[norm]
    ours = UnetGenerator(
        base_channels=ngf,
        num_downs=num_downs,
        norm_cfg=norm_cfg,
        use_dropout=use_dropout,
    )
    theirs = _TheirUnetGenerator(3, 3, num_downs, ngf, norm_layer, use_dropout)
    # Both list their layers in the same order: copy across by position.
    ours_state, their_state = ours.state_dict(), theirs.state_dict()
    assert [v.shape for v in ours_state.values()] == [
        v.shape for v in their_state.values()
    ]
    torch.manual_seed(0)
    for value in their_state.values():
        if value.is_floating_point():
            value.copy_(torch.randn_like(value) * 0.3 + 0.2)
    ours.load_state_dict(dict(zip(ours_state, their_state.values())))
    return ours, theirs


@pytest.mark.parametrize(
    'norm, num_downs, use_dropout, train',
    [('IN', 5, False, True), ('BN', 6, False, True), ('IN', 7, True, False)],
)
def test_same_function_as_the_authors(norm, num_downs, use_dropout, train):
    ours, theirs = _pair(norm, num_downs, use_dropout)
    ours.train(train)
    theirs.train(train)
    x = torch.rand(2, 3, 2**num_downs, 2**num_downs) * 2 - 1
    torch.testing.assert_close(ours(x), theirs(x), rtol=0, atol=1e-5)


def test_unet_256_size_matches_the_authors():
    # The authors print "Total number of parameters : 54.414 M" for pix2pix.
    with torch.device('meta'):
        ours = UnetGenerator(num_downs=8, norm_cfg=dict(type='BN'))
        theirs = _TheirUnetGenerator(3, 3, 8, 64, NORMS['BN'][1], False)
        count = sum(p.numel() for p in ours.parameters())
        assert count == sum(p.numel() for p in theirs.parameters()) == 54_413_955


@pytest.mark.parametrize(
    'options',
    [
        dict(),
        dict(norm_cfg=dict(type='BN')),
        dict(norm_cfg=None),
        dict(use_dropout=True, num_downs=6),
        dict(upsample_mode='resize_conv'),
        dict(upsample_mode='resize_conv', interp_mode='bilinear'),
        dict(in_channels=1, out_channels=2),
    ],
    ids=str,
)
def test_output_shape_range_and_gradient(options):
    generator = UnetGenerator(**{'base_channels': 4, 'num_downs': 5, **options})
    generator.init_weights()
    size = 2**generator.num_downs
    x = torch.rand(2, options.get('in_channels', 3), 2 * size, size) * 2 - 1
    y = generator(x)
    assert y.shape == (2, options.get('out_channels', 3), 2 * size, size)
    assert torch.isfinite(y).all() and y.abs().max() <= 1
    y.mean().backward()
    assert generator.encoder[0].conv.weight.grad.abs().sum() > 0


def test_dropout_sits_in_the_constant_width_levels():
    generator = UnetGenerator(base_channels=4, num_downs=8, use_dropout=True)
    with_dropout = [hasattr(stage, 'dropout') for stage in generator.decoder]
    # decoder runs innermost (level 7) first; levels 6, 5, 4 have dropout
    assert with_dropout == [False, True, True, True, False, False, False, False]


def test_builds_from_the_registry_and_checks_sizes():
    generator = MODELS.build(dict(type='UnetGenerator', base_channels=2, num_downs=5))
    assert isinstance(generator, UnetGenerator)
    with pytest.raises(ValueError, match=r'divisible by 32.*\(1, 3, 48, 32\)'):
        generator(torch.zeros(1, 3, 48, 32))
    with pytest.raises(ValueError, match='num_downs=4'):
        UnetGenerator(num_downs=4)
