"""ConvNormAct and the upsampling stages built from it."""

import pytest
import torch
from torch import nn

from cyclegan_plugin.models.layers import ConvNormAct, build_upsample_block


def test_children_and_keys():
    block = ConvNormAct(
        3,
        8,
        3,
        padding=1,
        norm_cfg=dict(type='IN', affine=True),
        act_cfg=dict(type='ReLU'),
        dropout=0.5,
    )
    assert list(block._modules) == ['conv', 'norm', 'act', 'dropout']
    assert set(block.state_dict()) == {
        'conv.weight',
        'conv.bias',
        'norm.weight',
        'norm.bias',
    }
    assert list(ConvNormAct(3, 8, 1)._modules) == ['conv']
    # PyTorch's own classes (mmcv's 'Conv' and 'ConvTranspose2d' are subclasses).
    assert [type(m) for m in block] == [
        nn.Conv2d,
        nn.InstanceNorm2d,
        nn.ReLU,
        nn.Dropout,
    ]


@pytest.mark.parametrize(
    'mode, pad', [('reflect', nn.ReflectionPad2d), ('replicate', nn.ReplicationPad2d)]
)
def test_padding_mode_equals_a_separate_pad_layer(mode, pad):
    block = ConvNormAct(3, 4, 7, padding=3, padding_mode=mode)
    x = torch.randn(2, 3, 12, 16)
    expected = nn.functional.conv2d(pad(3)(x), block.conv.weight, block.conv.bias)
    assert torch.equal(block(x), expected)


def test_transposed_and_bad_arguments():
    block = ConvNormAct(4, 2, 3, stride=2, padding=1, transposed=True, output_padding=1)
    assert type(block.conv) is nn.ConvTranspose2d
    assert block(torch.randn(1, 4, 5, 7)).shape == (1, 2, 10, 14)
    with pytest.raises(ValueError, match="'reflect'"):
        ConvNormAct(4, 2, 3, transposed=True, padding_mode='reflect')
    with pytest.raises(ValueError, match='1.0'):
        ConvNormAct(4, 2, 3, dropout=1.0)


@pytest.mark.parametrize('kernel', [3, 4])
@pytest.mark.parametrize('mode', ['deconv', 'resize_conv'])
def test_upsample_blocks_double_the_size(mode, kernel):
    block = build_upsample_block(
        mode,
        8,
        4,
        deconv_kernel_size=kernel,
        padding_mode='reflect' if mode == 'resize_conv' else 'zeros',
        norm_cfg=dict(type='IN'),
        act_cfg=dict(type='ReLU'),
    )
    y = block(torch.randn(2, 8, 5, 6))
    assert y.shape == (2, 4, 10, 12)
    assert (y >= 0).all()


def test_resize_conv_has_no_checkerboard():
    # A constant image stays constant through nearest resize + conv, but not
    # through a stride-2 transposed conv (uneven kernel overlap).
    x = torch.ones(1, 1, 8, 8)
    resize = build_upsample_block('resize_conv', 1, 1, padding_mode='replicate')
    deconv = build_upsample_block('deconv', 1, 1)
    for block in (resize, deconv):
        nn.init.constant_(
            block.get_submodule('conv' if block is deconv else 'conv.conv').weight, 1.0
        )
    assert resize(x).std() < 1e-6
    assert deconv(x)[..., 2:-2, 2:-2].std() > 0.1


def test_upsample_bad_modes():
    with pytest.raises(ValueError, match="'pixel_shuffle'"):
        build_upsample_block('pixel_shuffle', 4, 2)
    with pytest.raises(ValueError, match="'bicubic'"):
        build_upsample_block('resize_conv', 4, 2, interp_mode='bicubic')
