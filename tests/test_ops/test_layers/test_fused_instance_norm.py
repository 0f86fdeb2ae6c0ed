"""FusedInstanceNorm2d: the authors' instance norm, its ReLU folded in on CPUs."""

import pytest
import torch
from torch import nn

from cyclegan_plugin.ops import FusedInstanceNorm2d


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


@pytest.mark.parametrize('kwargs', [dict(affine=True), dict(track_running_stats=True)])
def test_options_it_does_not_compute_are_refused(kwargs):
    with pytest.raises(ValueError, match='nn.InstanceNorm2d'):
        FusedInstanceNorm2d(4, **kwargs)
