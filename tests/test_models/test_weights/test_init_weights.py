"""init_weights: each of the authors' schemes gives the statistics it promises."""

import math

import pytest
import torch
from torch import nn

from cyclegan_plugin.models.weights import init_weights


def _net():
    return nn.Sequential(
        nn.Conv2d(64, 64, 3),
        nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 64, 3),
        nn.InstanceNorm2d(64, affine=True),
        nn.Linear(256, 128),
    )


def test_normal():
    torch.manual_seed(0)
    net = _net()
    init_weights(net, 'normal', gain=0.02)
    for layer in (net[0], net[2], net[4]):
        assert layer.weight.mean().abs() < 2e-3
        assert layer.weight.std().item() == pytest.approx(0.02, rel=0.05)
        assert torch.count_nonzero(layer.bias) == 0
    batch_norm = net[1]
    assert batch_norm.weight.mean().item() == pytest.approx(1.0, abs=0.01)
    assert batch_norm.weight.std().item() == pytest.approx(0.02, rel=0.3)
    assert torch.count_nonzero(batch_norm.bias) == 0
    # Instance norm keeps PyTorch's defaults, as in the authors' code.
    assert torch.equal(net[3].weight, torch.ones(64))


def test_xavier_and_kaiming_and_orthogonal():
    torch.manual_seed(0)
    conv = nn.Conv2d(64, 32, 3)
    fan_in, fan_out = 64 * 9, 32 * 9

    init_weights(conv, 'xavier', gain=0.5)
    expected = 0.5 * math.sqrt(2.0 / (fan_in + fan_out))
    assert conv.weight.std().item() == pytest.approx(expected, rel=0.05)

    init_weights(conv, 'kaiming', gain=0.5)  # the authors ignore gain here
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2.0 / fan_in), rel=0.05)

    init_weights(conv, 'orthogonal', gain=0.5)
    rows = conv.weight.reshape(32, -1)
    torch.testing.assert_close(rows @ rows.T, 0.25 * torch.eye(32), atol=1e-5, rtol=0)
    assert torch.count_nonzero(conv.bias) == 0


def test_unknown_type_raises():
    with pytest.raises(ValueError, match="'uniform'"):
        init_weights(nn.Conv2d(1, 1, 1), 'uniform')
