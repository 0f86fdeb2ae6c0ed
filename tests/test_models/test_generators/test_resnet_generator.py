"""ResnetGenerator: size, shapes and range for every option, errors.

Equality with the authors' network is checked in
tests/test_converters/test_junyanz.py, which converts their weights and
compares outputs.
"""

import pytest
import torch
from torch import nn

from cyclegan_plugin.models.generators import ResnetGenerator
from cyclegan_plugin.registry import MODELS


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


def test_default_is_the_authors_resnet_9blocks():
    with torch.device('meta'):
        assert _num_params(ResnetGenerator()) == 11_378_179
        # resnet_6blocks, the authors' choice for 128x128 images
        assert _num_params(ResnetGenerator(num_blocks=6)) == 7_837_699


def test_module_tree_reads_like_the_paper():
    generator = ResnetGenerator(base_channels=4, num_blocks=2)
    assert [name for name, _ in generator.named_children()] == [
        'stem',
        'downsample',
        'blocks',
        'upsample',
        'head',
    ]
    keys = set(generator.state_dict())
    assert {'stem.conv.weight', 'blocks.1.conv2.conv.bias', 'head.conv.bias'} <= keys
    assert isinstance(generator.upsample[0].conv, nn.ConvTranspose2d)
    assert isinstance(generator.head.act, nn.Tanh)


OPTIONS = [
    dict(),
    dict(norm_cfg=dict(type='IN', affine=True)),
    dict(norm_cfg=dict(type='BN')),
    dict(norm_cfg=dict(type='none')),
    dict(norm_cfg=None),
    dict(use_dropout=True),
    dict(padding_mode='replicate'),
    dict(padding_mode='zeros'),
    dict(upsample_mode='resize_conv'),
    dict(upsample_mode='resize_conv', interp_mode='bilinear'),
    dict(num_blocks=0),
    dict(in_channels=1, out_channels=2),
]


@pytest.mark.parametrize('options', OPTIONS, ids=str)
def test_output_shape_range_and_gradient(options):
    generator = ResnetGenerator(**{'base_channels': 4, 'num_blocks': 2, **options})
    generator.init_weights()
    in_channels = options.get('in_channels', 3)
    x = torch.rand(2, in_channels, 32, 48) * 2 - 1

    y = generator(x)

    assert y.shape == (2, options.get('out_channels', 3), 32, 48)
    assert torch.isfinite(y).all()
    assert y.abs().max() <= 1
    y.mean().backward()
    assert generator.stem.conv.weight.grad.abs().sum() > 0


def test_conv_bias_follows_the_norm():
    with_in = ResnetGenerator(base_channels=4, num_blocks=1)
    with_bn = ResnetGenerator(base_channels=4, num_blocks=1, norm_cfg=dict(type='BN'))
    assert with_in.stem.conv.bias is not None
    assert with_bn.stem.conv.bias is None and with_bn.blocks[0].conv1.conv.bias is None
    assert with_bn.head.conv.bias is not None  # the authors' last conv keeps it
    assert isinstance(with_in.stem.norm, nn.InstanceNorm2d)
    assert not with_in.stem.norm.affine and not with_in.stem.norm.track_running_stats


def test_options_build_the_layers_they_name():
    generator = ResnetGenerator(
        base_channels=4,
        num_blocks=1,
        use_dropout=True,
        padding_mode='replicate',
        upsample_mode='resize_conv',
        interp_mode='bilinear',
    )
    assert generator.blocks[0].conv1.dropout.p == 0.5
    assert generator.blocks[0].conv1.conv.padding_mode == 'replicate'
    assert generator.upsample[0].resize.mode == 'bilinear'
    assert not any(isinstance(m, nn.ConvTranspose2d) for m in generator.modules())
    dropout_free = ResnetGenerator(base_channels=4, num_blocks=1)
    assert not any(isinstance(m, nn.Dropout) for m in dropout_free.modules())


def test_builds_from_the_registry():
    generator = MODELS.build(
        dict(type='ResnetGenerator', base_channels=4, num_blocks=1)
    )
    assert isinstance(generator, ResnetGenerator)


def test_input_size_not_divisible_by_4_raises():
    generator = ResnetGenerator(base_channels=4, num_blocks=1)
    with pytest.raises(ValueError, match=r'divisible by 4.*\(1, 3, 30, 32\)'):
        generator(torch.zeros(1, 3, 30, 32))


@pytest.mark.parametrize(
    'options, message',
    [
        (dict(num_blocks=-1), 'num_blocks=-1'),
        (dict(base_channels=0), 'base_channels=0'),
        (dict(padding_mode='circular'), "'circular'"),
        (dict(upsample_mode='pixel_shuffle'), "'pixel_shuffle'"),
        (dict(interp_mode='bicubic', upsample_mode='resize_conv'), "'bicubic'"),
        (dict(norm_cfg=dict(type='FancyNorm')), "'FancyNorm'"),
        (dict(init_cfg=dict(type='normal', std=0.02)), 'takes only "gain"'),
    ],
)
def test_bad_arguments_raise(options, message):
    with pytest.raises(ValueError, match=message):
        ResnetGenerator(**options)
