"""ResidualBlock: the skip connection and the layer order of the authors' block."""

import torch
from torch import nn

from cyclegan_plugin.models.generators import ResidualBlock


def test_zero_branch_is_identity():
    block = ResidualBlock(4, norm_cfg=None)
    nn.init.zeros_(block.conv2.conv.weight)
    nn.init.zeros_(block.conv2.conv.bias)
    x = torch.randn(2, 4, 8, 8)
    assert torch.equal(block(x), x)


def test_layer_order_matches_the_authors():
    block = ResidualBlock(4, use_dropout=True).eval()
    assert list(block.conv1._modules) == ['conv', 'norm', 'act', 'dropout']
    assert list(block.conv2._modules) == ['conv', 'norm']

    # The same computation written out with the authors' separate pad layers.
    conv1, conv2 = block.conv1.conv, block.conv2.conv
    x = torch.randn(2, 4, 8, 8)
    pad = nn.ReflectionPad2d(1)
    norm = nn.InstanceNorm2d(4)
    hidden = torch.relu(norm(nn.functional.conv2d(pad(x), conv1.weight, conv1.bias)))
    expected = x + norm(nn.functional.conv2d(pad(hidden), conv2.weight, conv2.bias))
    torch.testing.assert_close(block(x), expected, rtol=0, atol=1e-6)
