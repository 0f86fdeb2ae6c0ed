"""ResnetGenerator's anti-aliasing option and its encoder features."""

import pytest
import torch

from cyclegan_plugin.models.generators import ResnetGenerator


def _keys(**options):
    return {
        k: v.shape
        for k, v in ResnetGenerator(base_channels=4, **options).state_dict().items()
    }


def test_antialiasing_keeps_the_parameters_and_their_names():
    plain = _keys()
    assert _keys(antialias=True) == plain
    # blur_conv's conv sits under 'conv' as resize_conv's does, with the same shapes.
    assert _keys(antialias=True, upsample_mode='blur_conv') == _keys(
        upsample_mode='resize_conv'
    )


@pytest.mark.parametrize('antialias', [False, True])
def test_output_keeps_the_input_size(antialias):
    g = ResnetGenerator(
        base_channels=4, num_blocks=1, antialias=antialias, upsample_mode='blur_conv'
    )
    assert g(torch.randn(1, 3, 36, 28)).shape == (1, 3, 36, 28)


def test_feature_layers_count_the_authors_modules():
    g = ResnetGenerator(
        base_channels=4, num_blocks=9, antialias=True, upsample_mode='blur_conv'
    )
    names = g.feature_layers()
    # The CUT authors' resnet_9blocks Sequential with anti-aliasing: 32 modules.
    assert len(names) == 32
    assert [names[i] for i in (0, 4, 8, 12, 16)] == [
        'stem.pad',
        'downsample.0.conv',
        'downsample.1.conv',
        'blocks.0',
        'blocks.4',
    ]
    assert names[7] == 'downsample.0.blur' and names[-1] == 'head.act'
    plain = ResnetGenerator(base_channels=4, num_blocks=9).feature_layers()
    assert len(plain) == 28 and plain[10] == 'blocks.0'


def test_encode_returns_the_layers_and_their_channels():
    g = ResnetGenerator(base_channels=4, num_blocks=2, antialias=True)
    layers = ['stem.pad', 'downsample.1.conv', 'blocks.1']
    x = torch.randn(2, 3, 32, 32)
    feats = g.encode(x, layers)
    assert [f.shape for f in feats] == [(2, 3, 38, 38), (2, 16, 16, 16), (2, 16, 8, 8)]
    assert g.feature_channels(layers) == [3, 16, 16]
    torch.testing.assert_close(
        feats[0], torch.nn.functional.pad(x, [3] * 4, mode='reflect')
    )
    # The last block's output is what the decoder starts from.
    g.eval()
    h = g.blocks(g.downsample(g.stem(x)))
    torch.testing.assert_close(feats[2], h)


@pytest.mark.parametrize(
    'layers, message',
    [
        (['nope'], 'non-empty list'),
        ([], 'non-empty list'),
        ('blocks.0', 'non-empty list'),
        (['blocks.1', 'blocks.0'], 'in the order'),
        (['blocks.0', 'blocks.0'], 'distinct'),
    ],
)
def test_bad_layers_raise(layers, message):
    g = ResnetGenerator(base_channels=4, num_blocks=2)
    with pytest.raises(ValueError, match=message):
        g.encode(torch.randn(1, 3, 16, 16), layers)
