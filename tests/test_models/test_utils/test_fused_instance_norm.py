"""FusedInstanceNorm2d: the authors' instance norm, its ReLU folded in on CPUs."""

import pytest
import torch
from torch import nn

from cyclegan_plugin.models.generators import ResnetGenerator
from cyclegan_plugin.models.utils import ConvNormAct, FusedInstanceNorm2d


@pytest.mark.parametrize('relu', [False, True])
def test_same_output_and_gradient_as_instance_norm(relu):
    torch.manual_seed(0)
    ref = nn.Sequential(nn.InstanceNorm2d(6), nn.ReLU() if relu else nn.Identity())
    fused = FusedInstanceNorm2d(6, relu=relu)
    x = torch.randn(2, 6, 7, 9, requires_grad=True)
    y, expected = fused(x), ref(x)
    torch.testing.assert_close(y, expected, rtol=0, atol=1e-5)
    g = torch.randn_like(y)
    (grad,) = torch.autograd.grad(y, x, g)
    (expected_grad,) = torch.autograd.grad(expected, x, g)
    torch.testing.assert_close(grad, expected_grad, rtol=1e-4, atol=1e-5)
    # float64 and autocast take PyTorch's own ops.
    xd = x.detach().double()
    torch.testing.assert_close(fused(xd), ref(xd), rtol=0, atol=1e-12)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert fused(torch.randn(1, 6, 4, 4)).shape == (1, 6, 4, 4)


def test_conv_norm_act_folds_the_relu_in():
    block = ConvNormAct(
        3, 4, 3, padding=1, norm_cfg=dict(type='FusedIN'), act_cfg=dict(type='ReLU')
    )
    assert list(dict(block.named_children())) == ['conv', 'norm']
    assert block.norm.relu
    leaky = ConvNormAct(
        3,
        4,
        3,
        norm_cfg=dict(type='FusedIN'),
        act_cfg=dict(type='LeakyReLU', negative_slope=0.2),
    )
    assert not leaky.norm.relu and isinstance(leaky.act, nn.LeakyReLU)


def test_a_generator_with_it_loads_the_same_weights_and_trains_alike():
    torch.manual_seed(0)
    native = ResnetGenerator(base_channels=4, num_blocks=1)
    fused = ResnetGenerator(
        base_channels=4, num_blocks=1, norm_cfg=dict(type='FusedIN')
    )
    fused.load_state_dict(native.state_dict())  # no parameters of its own
    x = torch.rand(2, 3, 16, 20) * 2 - 1
    torch.testing.assert_close(fused(x), native(x), rtol=0, atol=1e-5)
    weights = [
        torch.autograd.grad(net(x).square().sum(), net.stem.conv.weight)[0]
        for net in (native, fused)
    ]
    # Both are float32 sums of ~1e4 terms: equal up to their rounding.
    assert (weights[1] - weights[0]).norm() <= 1e-5 * weights[0].norm()


@pytest.mark.parametrize('kwargs', [dict(affine=True), dict(track_running_stats=True)])
def test_options_it_does_not_compute_are_refused(kwargs):
    with pytest.raises(ValueError, match="type='IN'"):
        FusedInstanceNorm2d(4, **kwargs)
