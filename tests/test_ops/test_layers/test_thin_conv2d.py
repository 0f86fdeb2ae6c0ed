"""ThinConv2d: an nn.Conv2d in parameters, direct kernels on CPUs for an RGB side."""

import pytest
import torch
from torch import nn

from cyclegan_plugin.ops import ThinConv2d


def pair(in_channels=16, out_channels=3, padding_mode='reflect'):
    torch.manual_seed(0)
    kwargs = dict(padding=3, padding_mode=padding_mode)
    native = nn.Conv2d(in_channels, out_channels, 7, **kwargs)
    fast = ThinConv2d(in_channels, out_channels, 7, **kwargs)
    fast.load_state_dict(native.state_dict())
    return native, fast


@pytest.mark.parametrize('padding_mode', ['zeros', 'reflect', 'replicate'])
def test_same_parameters_and_outputs_as_conv2d(padding_mode):
    native, fast = pair(padding_mode=padding_mode)
    assert fast.thin and fast.state_dict().keys() == native.state_dict().keys()
    x = torch.randn(2, 16, 12, 21)
    assert torch.allclose(fast(x), native(x), rtol=1e-5, atol=1e-5)


def test_trains_like_conv2d():
    native, fast = pair()
    x = torch.randn(2, 16, 12, 12, requires_grad=True)
    target = torch.randn(2, 3, 12, 12)
    grads = []
    for conv in (native, fast):
        opt = torch.optim.SGD(conv.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            x.grad = None
            nn.functional.mse_loss(conv(x), target).backward()
            opt.step()
        grads.append(x.grad.clone())
    for p, q in zip(native.parameters(), fast.parameters()):
        assert torch.allclose(p, q, rtol=1e-4, atol=1e-5)
    assert torch.allclose(grads[0], grads[1], rtol=1e-4, atol=1e-6)


def test_falls_back_to_the_native_convolution_where_it_does_not_apply():
    native, fast = pair()
    x = torch.randn(1, 16, 8, 8)
    # float64: the native kernel, so exactly nn.Conv2d's result.
    assert torch.equal(fast.double()(x.double()), native.double()(x.double()))
    fast.float()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert fast(x).dtype == torch.bfloat16
    wide = ThinConv2d(8, 8, 3, padding=1)
    assert not wide.thin
    x = torch.randn(1, 8, 6, 6)
    assert torch.equal(wide(x), nn.Conv2d.forward(wide, x))


@pytest.mark.parametrize(
    'kwargs, match',
    [
        (dict(kernel_size=9), 'kernel_size'),
        (dict(stride=2), 'stride'),
        (dict(dilation=2), 'dilation'),
        (dict(groups=3, in_channels=3), 'groups'),
        (dict(padding='same'), 'padding'),
    ],
)
def test_unsupported_geometry_is_refused_at_build(kwargs, match):
    args = dict(in_channels=6, out_channels=3, kernel_size=7, padding=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        ThinConv2d(**args)
