"""Winograd F(4x4, 3x3): forward and both gradients against F.conv2d."""

import pytest
import torch
import torch.nn.functional as F

from cyclegan_plugin.ops import (
    reuse_transformed_weights,
    reusing_transformed_weights,
    winograd_conv2d,
    winograd_weight,
)


def reference(x, weight, bias, padding, mode):
    """The direct convolution in float64, the ground truth."""
    x, weight = x.double(), weight.double()
    bias = bias.double() if bias is not None else None
    if padding and mode != 'zeros':
        return F.conv2d(F.pad(x, [padding] * 4, mode=mode), weight, bias)
    return F.conv2d(x, weight, bias, padding=padding)


def max_rel_err(a, b):
    return ((a.double() - b).abs().max() / b.abs().max()).item()


@pytest.mark.parametrize(
    'n, c, k, h, w, padding, mode, with_bias',
    [
        (1, 5, 7, 9, 13, 1, 'reflect', True),  # sizes not multiples of 4
        (2, 3, 4, 6, 5, 1, 'zeros', False),
        (2, 4, 3, 7, 8, 1, 'replicate', True),
        (1, 3, 2, 8, 8, 0, 'zeros', True),  # 'valid' convolution
        (1, 3, 2, 10, 11, 2, 'reflect', False),
        (3, 16, 8, 4, 4, 1, 'reflect', True),  # one tile
        (1, 2, 2, 3, 17, 1, 'zeros', True),
    ],
)
def test_equals_direct_convolution(n, c, k, h, w, padding, mode, with_bias):
    torch.manual_seed(0)
    x = torch.randn(n, c, h, w, requires_grad=True)
    weight = torch.randn(k, c, 3, 3, requires_grad=True)
    bias = torch.randn(k, requires_grad=True) if with_bias else None
    y = winograd_conv2d(x, weight, bias, padding, mode)
    expected = reference(x, weight, bias, padding, mode)
    assert y.shape == expected.shape and y.dtype == torch.float32
    assert max_rel_err(y, expected) < 1e-5

    grad_y = torch.randn_like(expected)
    inputs = [t for t in (x, weight, bias) if t is not None]
    grads = torch.autograd.grad(y, inputs, grad_y.float())
    expected_grads = torch.autograd.grad(expected, inputs, grad_y)
    for grad, expected_grad in zip(grads, expected_grads):
        assert max_rel_err(grad, expected_grad) < 1e-5


def test_the_residual_block_shape_trains_like_the_direct_convolution():
    # The ResNet generator's convolution at 128x128 training size (32x32 maps).
    torch.manual_seed(0)
    x = torch.randn(1, 256, 32, 32)
    weight = torch.randn(256, 256, 3, 3) * 0.02
    y = winograd_conv2d(x, weight, None, 1, 'reflect')
    expected = reference(x, weight, None, 1, 'reflect')
    # F(4x4, 3x3)'s transforms multiply by up to 8 and sum 2304 products per
    # output: its float32 error is several times direct convolution's, and
    # depends on the BLAS's summation order (1.35e-5 with AVX-512 kernels).
    assert max_rel_err(y, expected) < 3e-5


def test_only_the_needed_gradients_are_computed():
    x = torch.randn(1, 2, 8, 8)
    weight = torch.randn(3, 2, 3, 3, requires_grad=True)
    (grad_w,) = torch.autograd.grad(winograd_conv2d(x, weight).sum(), [weight])
    expected = reference(x, weight, None, 1, 'zeros').sum()
    (expected_w,) = torch.autograd.grad(expected, [weight])
    assert max_rel_err(grad_w, expected_w) < 1e-5


def test_double_backward_is_refused():
    x = torch.randn(1, 2, 8, 8, requires_grad=True)
    weight = torch.randn(3, 2, 3, 3, requires_grad=True)
    (grad_x,) = torch.autograd.grad(
        winograd_conv2d(x, weight).square().sum(), [x], create_graph=True
    )
    with pytest.raises(RuntimeError, match='twice|once|differentiable'):
        grad_x.sum().backward()


@pytest.mark.parametrize(
    'kwargs, match',
    [
        (dict(x=torch.randn(1, 2, 8, 8, dtype=torch.float64)), 'float32 CPU'),
        (dict(padding=3), 'padding must be 0, 1 or 2'),
        (dict(padding_mode='circular'), 'padding_mode'),
        (dict(weight=torch.randn(3, 2, 5, 5)), r'\(K, C, 3, 3\)'),
        (dict(weight=torch.randn(3, 4, 3, 3)), '4 input channels'),
        (dict(x=torch.randn(1, 2, 1, 8), padding_mode='reflect'), 'reflect'),
        (dict(x=torch.randn(1, 2, 2, 8), padding=0), 'smaller than'),
    ],
)
def test_bad_input_is_named(kwargs, match):
    args = dict(x=torch.randn(1, 2, 8, 8), weight=torch.randn(3, 2, 3, 3))
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        winograd_conv2d(**args)


def test_weights_are_transformed_once_per_block_and_anew_after_a_change():
    weight = torch.randn(3, 2, 3, 3, requires_grad=True)
    # Outside a block every call transforms.
    assert reusing_transformed_weights(weight) is not reusing_transformed_weights(
        weight
    )
    with reuse_transformed_weights():
        first = reusing_transformed_weights(weight)
        assert reusing_transformed_weights(weight) is first
        with reuse_transformed_weights():  # nested blocks share the cache
            assert reusing_transformed_weights(weight) is first
        with torch.no_grad():
            weight.mul_(2)
        second = reusing_transformed_weights(weight)
        assert second is not first
        assert torch.allclose(second, 2 * first.detach())
    with reuse_transformed_weights():
        assert reusing_transformed_weights(weight) is not second


def test_reused_weights_give_the_summed_gradient():
    torch.manual_seed(0)
    x = torch.randn(1, 2, 8, 8)
    weight = torch.randn(2, 2, 3, 3, requires_grad=True)

    def two_calls(u_first, u_second):
        y = winograd_conv2d(x, weight, padding_mode='reflect', u=u_first)
        return winograd_conv2d(y, weight, padding_mode='reflect', u=u_second)

    u = winograd_weight(weight)
    (shared,) = torch.autograd.grad(two_calls(u, u).square().sum(), [weight])
    separate = two_calls(winograd_weight(weight), winograd_weight(weight))
    (expected,) = torch.autograd.grad(separate.square().sum(), [weight])
    assert torch.allclose(shared, expected, rtol=1e-5, atol=1e-6)
