"""Norm/activation builders and the conv-bias rule."""

import pytest
from torch import nn

from cyclegan_plugin.models.utils import (
    build_activation_layer,
    build_norm_layer,
    conv_bias_for,
)


def test_norm_layers():
    instance = build_norm_layer(dict(type='IN'), 8)
    assert isinstance(instance, nn.InstanceNorm2d)
    assert not instance.affine and not instance.track_running_stats
    assert build_norm_layer(dict(type='IN', affine=True), 8).weight.shape == (8,)
    assert isinstance(build_norm_layer(dict(type='BN'), 8), nn.BatchNorm2d)
    assert isinstance(build_norm_layer(dict(type='SyncBN'), 8), nn.SyncBatchNorm)
    assert build_norm_layer(None, 8) is None
    assert build_norm_layer(dict(type='none'), 8) is None


def test_conv_bias_rule():
    assert conv_bias_for(dict(type='IN'))
    assert conv_bias_for(dict(type='IN', affine=True))
    assert conv_bias_for(None) and conv_bias_for(dict(type='none'))
    assert not conv_bias_for(dict(type='BN'))
    assert not conv_bias_for(dict(type='SyncBN'))


def test_activations():
    leaky = build_activation_layer(dict(type='LeakyReLU', negative_slope=0.2))
    assert isinstance(leaky, nn.LeakyReLU) and leaky.negative_slope == 0.2
    assert build_activation_layer(dict(type='ReLU', inplace=True)).inplace
    assert isinstance(build_activation_layer(dict(type='Tanh')), nn.Tanh)
    assert build_activation_layer(None) is None


def test_bad_configs_raise():
    with pytest.raises(ValueError, match="'GN'"):
        build_norm_layer(dict(type='GN'), 8)
    with pytest.raises(TypeError, match="'IN'"):
        build_norm_layer('IN', 8)
    with pytest.raises(ValueError, match="'GELU'"):
        build_activation_layer(dict(type='GELU'))
