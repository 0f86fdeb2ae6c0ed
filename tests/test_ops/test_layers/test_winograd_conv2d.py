"""WinogradConv2d: an nn.Conv2d in parameters, faster arithmetic on CPUs."""

import pytest
import torch
from torch import nn

from cyclegan_plugin.ops import WinogradConv2d


def pair(padding_mode='reflect', bias=True):
    torch.manual_seed(0)
    native = nn.Conv2d(4, 6, 3, padding=1, padding_mode=padding_mode, bias=bias)
    fast = WinogradConv2d(4, 6, 3, padding=1, padding_mode=padding_mode, bias=bias)
    fast.load_state_dict(native.state_dict())
    return native, fast


@pytest.mark.parametrize('padding_mode', ['zeros', 'reflect', 'replicate'])
def test_same_parameters_and_outputs_as_conv2d(padding_mode):
    native, fast = pair(padding_mode)
    assert fast.state_dict().keys() == native.state_dict().keys()
    x = torch.randn(2, 4, 10, 7)
    assert torch.allclose(fast(x), native(x), rtol=1e-5, atol=1e-5)


def test_trains_like_conv2d():
    native, fast = pair()
    x = torch.randn(2, 4, 12, 12)
    target = torch.randn(2, 6, 12, 12)
    for conv in (native, fast):
        opt = torch.optim.SGD(conv.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            nn.functional.mse_loss(conv(x), target).backward()
            opt.step()
    for p, q in zip(native.parameters(), fast.parameters()):
        assert torch.allclose(p, q, rtol=1e-4, atol=1e-5)


def test_falls_back_to_the_native_convolution_where_it_does_not_apply():
    native, fast = pair()
    x = torch.randn(1, 4, 8, 8)
    # float64: the native kernel, so exactly nn.Conv2d's result.
    assert torch.equal(fast.double()(x.double()), native.double()(x.double()))
    fast.float()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert fast(x).dtype == torch.bfloat16


@pytest.mark.parametrize(
    'kwargs, match',
    [
        (dict(kernel_size=5), 'kernel_size'),
        (dict(stride=2), 'stride'),
        (dict(dilation=2), 'dilation'),
        (dict(groups=2), 'groups'),
        (dict(padding=(1, 0)), 'padding'),
        (dict(padding=3), 'padding'),
        (dict(padding_mode='circular'), 'padding_mode'),
    ],
)
def test_unsupported_geometry_is_refused_at_build(kwargs, match):
    args = dict(in_channels=4, out_channels=4, kernel_size=3, padding=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        WinogradConv2d(**args)
