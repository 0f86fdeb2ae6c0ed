"""The direct thin-channel convolution: forward and both gradients against F.conv2d."""

import pytest
import torch
import torch.nn.functional as F

from cyclegan_plugin.ops import thin_conv2d


def max_rel_err(a, b):
    return ((a.double() - b).abs().max() / b.abs().max()).item()


@pytest.mark.parametrize(
    'n, c, k, h, w, kh, kw, with_bias',
    [
        (2, 16, 3, 20, 27, 7, 7, True),  # the head's shape: few outputs, rows of 21
        (1, 3, 9, 14, 19, 7, 7, False),  # the stem's shape: few inputs, 2 blocks + 1
        (1, 5, 2, 9, 40, 3, 5, True),  # rectangular kernel, 24 + 8 + 4 pixel row
        (3, 2, 4, 6, 6, 1, 1, True),  # 1x1
        (1, 4, 1, 9, 17, 3, 8, True),  # the widest kernel, one output channel
    ],
)
def test_equals_direct_convolution(n, c, k, h, w, kh, kw, with_bias):
    torch.manual_seed(0)
    x = torch.randn(n, c, h, w, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(k, c, kh, kw, dtype=torch.float64, requires_grad=True)
    bias = None
    if with_bias:
        bias = torch.randn(k, dtype=torch.float64, requires_grad=True)
    inputs = [t for t in (x, weight, bias) if t is not None]
    fast_inputs = [t.detach().float().requires_grad_() for t in inputs]

    expected = F.conv2d(x, weight, bias)
    y = thin_conv2d(*fast_inputs) if with_bias else thin_conv2d(*fast_inputs, None)
    assert y.shape == expected.shape and y.dtype == torch.float32
    assert max_rel_err(y, expected) < 1e-5

    grad_y = torch.randn_like(expected)
    grads = torch.autograd.grad(y, fast_inputs, grad_y.float())
    expected_grads = torch.autograd.grad(expected, inputs, grad_y)
    for grad, expected_grad in zip(grads, expected_grads):
        assert max_rel_err(grad, expected_grad) < 1e-5


def test_only_the_needed_gradients_are_computed():
    x = torch.randn(1, 8, 10, 10)  # an image: no gradient wanted
    weight = torch.randn(3, 8, 7, 7, requires_grad=True)
    (grad_w,) = torch.autograd.grad(thin_conv2d(x, weight).sum(), [weight])
    expected = torch.autograd.grad(F.conv2d(x, weight).sum(), [weight])[0]
    assert max_rel_err(grad_w, expected.double()) < 1e-5


@pytest.mark.parametrize(
    'x, weight, match',
    [
        (torch.randn(1, 3, 8, 8), torch.randn(2, 4, 3, 3), 'same C'),
        (torch.randn(3, 8, 8), torch.randn(2, 3, 3, 3), r'\(N, C, H, W\)'),
        (torch.randn(1, 3, 12, 12), torch.randn(2, 3, 9, 9), 'up to 8 wide'),
        (torch.randn(1, 3, 4, 4), torch.randn(2, 3, 5, 5), 'fit in x'),
        (torch.randn(1, 3, 8, 8).double(), torch.randn(2, 3, 3, 3), 'x is torch.f'),
    ],
)
def test_bad_input_is_named(x, weight, match):
    with pytest.raises(ValueError, match=match):
        thin_conv2d(x, weight)
