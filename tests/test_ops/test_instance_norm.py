"""The fused instance norm (+ ReLU): forward and gradient against PyTorch's ops."""

import pytest
import torch
import torch.nn.functional as F

from cyclegan_plugin.ops import instance_norm_relu


@pytest.mark.parametrize('relu', [False, True])
@pytest.mark.parametrize('shape', [(2, 5, 9, 13), (1, 3, 4, 4), (3, 2, 17, 8)])
def test_equals_instance_norm_then_relu(shape, relu):
    torch.manual_seed(0)
    # An offset and scale that a one-pass variance would lose precision to.
    x = (torch.randn(*shape, dtype=torch.float64) * 3 + 20).requires_grad_()
    expected = F.instance_norm(x, eps=1e-5)
    if relu:
        expected = F.relu(expected)
    fast_x = x.detach().float().requires_grad_()
    y = instance_norm_relu(fast_x, 1e-5, relu)
    assert y.dtype == torch.float32 and y.shape == x.shape
    torch.testing.assert_close(y.double(), expected, rtol=0, atol=1e-5)
    grad_y = torch.randn_like(expected)
    (grad,) = torch.autograd.grad(y, fast_x, grad_y.float())
    (expected_grad,) = torch.autograd.grad(expected, x, grad_y)
    scale = expected_grad.abs().max()
    assert ((grad.double() - expected_grad).abs().max() / scale).item() < 1e-5


def test_the_relu_mask_comes_from_the_statistics():
    # Half of each plane is the same value: exact zeros after normalisation
    # must get no gradient, as F.relu gives them none.
    x = torch.tensor([[[[1.0, 1.0], [3.0, -1.0]]]], requires_grad=True)
    y = instance_norm_relu(x, 1e-5, True)
    (grad,) = torch.autograd.grad(y.sum(), x)
    ref = x.detach().clone().requires_grad_()
    (expected,) = torch.autograd.grad(F.relu(F.instance_norm(ref)).sum(), ref)
    torch.testing.assert_close(grad, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    'x, match',
    [
        (torch.randn(4, 4), r'\(N, C, \.\.\.\)'),
        (torch.randn(1, 2, 0, 3), 'non-empty'),
        (torch.randn(1, 2, 3, 3).double(), 'float32 CPU'),
    ],
)
def test_bad_input_is_named(x, match):
    with pytest.raises(ValueError, match=match):
        instance_norm_relu(x)
