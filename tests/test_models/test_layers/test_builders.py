"""Norm/activation builders (mmcv's, through MMEngine's MODELS) and the bias rule."""

import pytest
from mmengine.registry import MODELS
from torch import nn

from cyclegan_plugin.models.layers import (
    build_activation_layer,
    build_norm_layer,
    conv_bias_for,
)


def test_norm_layers():
    instance = build_norm_layer(dict(type='IN'), 8)
    assert type(instance) is nn.InstanceNorm2d and instance.eps == 1e-5
    assert not instance.affine and not instance.track_running_stats
    assert build_norm_layer(dict(type='IN', affine=True), 8).weight.shape == (8,)
    assert type(build_norm_layer(dict(type='BN'), 8)) is nn.BatchNorm2d
    assert isinstance(build_norm_layer(dict(type='SyncBN'), 8), nn.SyncBatchNorm)
    assert build_norm_layer(None, 8) is None
    assert build_norm_layer(dict(type='none'), 8) is None


def test_any_registered_norm_or_class():
    # What MMEngine's MODELS holds (mmcv registers 'GN' there), or a class.
    group = build_norm_layer(dict(type='GN', num_groups=2), 8)
    assert type(group) is nn.GroupNorm and group.num_groups == 2
    assert MODELS.get('GN') is nn.GroupNorm
    assert type(build_norm_layer(dict(type=nn.InstanceNorm2d), 8)) is nn.InstanceNorm2d
    assert conv_bias_for(dict(type='GN', num_groups=2))


def test_norm_parameters_stay_trainable():
    bn = build_norm_layer(dict(type='BN'), 4)
    assert all(p.requires_grad for p in bn.parameters())


def test_conv_bias_rule():
    assert conv_bias_for(dict(type='IN'))
    assert conv_bias_for(dict(type='IN', affine=True))
    assert conv_bias_for(None) and conv_bias_for(dict(type='none'))
    assert not conv_bias_for(dict(type='BN'))
    assert not conv_bias_for(dict(type='BN2d'))
    assert not conv_bias_for(dict(type='SyncBN'))


def test_activations():
    leaky = build_activation_layer(dict(type='LeakyReLU', negative_slope=0.2))
    assert type(leaky) is nn.LeakyReLU and leaky.negative_slope == 0.2
    assert build_activation_layer(dict(type='ReLU', inplace=True)).inplace
    assert type(build_activation_layer(dict(type='Tanh'))) is nn.Tanh
    assert build_activation_layer(None) is None
    assert build_activation_layer(dict(type='none')) is None


def test_bad_configs_raise():
    with pytest.raises(ValueError, match="'FancyNorm'"):
        build_norm_layer(dict(type='FancyNorm'), 8)
    with pytest.raises(ValueError, match="'FancyNorm'"):
        conv_bias_for(dict(type='FancyNorm'))
    with pytest.raises(TypeError, match="'IN'"):
        build_norm_layer('IN', 8)
    with pytest.raises(ValueError, match="'Swoosh'"):
        build_activation_layer(dict(type='Swoosh'))
