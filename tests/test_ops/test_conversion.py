"""convert_to_cpu_kernels: the same network, computed by the plugin's CPU kernels."""

import copy

import pytest
import torch
from torch import nn

from cyclegan_plugin.models.generators import ResnetGenerator
from cyclegan_plugin.models.layers import ConvNormAct
from cyclegan_plugin.ops import (
    FusedInstanceNorm2d,
    ThinConv2d,
    WinogradConv2d,
    convert_to_cpu_kernels,
)
from cyclegan_plugin.ops import winograd as winograd_module
from cyclegan_plugin.registry import MODELS


def generator_pair(**kwargs):
    torch.manual_seed(0)
    native = ResnetGenerator(**dict(dict(base_channels=8, num_blocks=2), **kwargs))
    return native, convert_to_cpu_kernels(copy.deepcopy(native))


def layer_types(module):
    return {name: type(m) for name, m in module.named_modules()}


@pytest.mark.parametrize('upsample_mode', ['deconv', 'resize_conv'])
def test_winograd_takes_the_stride1_3x3_convs(upsample_mode):
    torch.manual_seed(0)
    native = ResnetGenerator(base_channels=8, num_blocks=2, upsample_mode=upsample_mode)
    fast = convert_to_cpu_kernels(
        copy.deepcopy(native), thin_conv=False, fused_norm=False
    )
    winograd = [n for n, m in fast.named_modules() if isinstance(m, WinogradConv2d)]
    expected = [f'blocks.{i}.conv{j}.conv' for i in range(2) for j in (1, 2)]
    if upsample_mode == 'resize_conv':
        expected += ['upsample.0.conv.conv', 'upsample.1.conv.conv']
    assert sorted(winograd) == sorted(expected)
    assert not any(
        isinstance(m, (ThinConv2d, FusedInstanceNorm2d)) for m in fast.modules()
    )
    x = torch.rand(2, 3, 20, 28) * 2 - 1
    torch.testing.assert_close(fast(x), native(x), rtol=0, atol=1e-5)


def test_thin_conv_takes_the_head_only():
    torch.manual_seed(0)
    native = ResnetGenerator(base_channels=8, num_blocks=1)
    fast = convert_to_cpu_kernels(
        copy.deepcopy(native), winograd=False, fused_norm=False
    )
    thin = [n for n, m in fast.named_modules() if isinstance(m, ThinConv2d)]
    # Not the 3 -> 8 stem: for a thin input oneDNN is as fast.
    assert thin == ['head.conv'] and fast.head.conv.padding_mode == 'reflect'
    x = (torch.rand(2, 3, 20, 28) * 2 - 1).requires_grad_()
    y_native, y_fast = native(x), fast(x)
    torch.testing.assert_close(y_fast, y_native, rtol=0, atol=1e-5)
    # The cycle needs the gradient through the head to the generator's input.
    g_native = torch.autograd.grad(y_native.sum(), [x, native.head.conv.weight])
    g_fast = torch.autograd.grad(y_fast.sum(), [x, fast.head.conv.weight])
    for a, b in zip(g_fast, g_native):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_instance_norm_then_relu_becomes_one_layer():
    native, fast = generator_pair()
    types = layer_types(fast)
    assert types['stem.norm'] is FusedInstanceNorm2d and fast.stem.norm.relu
    assert types['stem.act'] is nn.Identity
    assert types['blocks.0.conv1.act'] is nn.Identity and fast.blocks[0].conv1.norm.relu
    # conv2 has no ReLU after its norm.
    assert types['blocks.0.conv2.norm'] is FusedInstanceNorm2d
    assert not fast.blocks[0].conv2.norm.relu
    # Not folded: another activation; not converted: affine instance norm.
    leaky = convert_to_cpu_kernels(
        ConvNormAct(3, 4, 3, norm_cfg=dict(type='IN'), act_cfg=dict(type='LeakyReLU'))
    )
    assert type(leaky.norm) is FusedInstanceNorm2d and not leaky.norm.relu
    assert type(leaky.act) is nn.LeakyReLU
    affine = convert_to_cpu_kernels(
        ConvNormAct(
            3, 4, 3, norm_cfg=dict(type='IN', affine=True), act_cfg=dict(type='ReLU')
        )
    )
    assert type(affine.norm) is nn.InstanceNorm2d and type(affine.act) is nn.ReLU


def test_the_whole_generator_types_and_state_dict():
    native, fast = generator_pair()
    types = layer_types(fast)
    assert list(types) == list(layer_types(native))  # same names, same order
    expected = {
        **{f'blocks.{i}.conv{j}.conv': WinogradConv2d for i in (0, 1) for j in (1, 2)},
        'head.conv': ThinConv2d,
        'stem.conv': nn.Conv2d,  # 7x7 from RGB
        'downsample.0.conv': nn.Conv2d,  # stride 2
        'upsample.0.conv': nn.ConvTranspose2d,
    }
    for name, cls in expected.items():
        assert types[name] is cls, name
    native_state, fast_state = native.state_dict(), fast.state_dict()
    assert list(fast_state) == list(native_state)
    for key, value in native_state.items():
        assert torch.equal(fast_state[key], value), key
    # A converted model's checkpoint loads strictly into an unconverted one,
    # and back.
    ResnetGenerator(base_channels=8, num_blocks=2).load_state_dict(fast_state)
    convert_to_cpu_kernels(
        ResnetGenerator(base_channels=8, num_blocks=2)
    ).load_state_dict(native_state)


def test_the_parameters_are_the_same_tensors():
    conv = nn.Conv2d(4, 6, 3, padding=1, padding_mode='reflect')
    weight, bias = conv.weight, conv.bias
    fast = convert_to_cpu_kernels(conv)  # a converted layer itself is replaced
    assert type(fast) is WinogradConv2d
    assert fast.weight is weight and fast.bias is bias and fast.training
    no_bias = convert_to_cpu_kernels(nn.Conv2d(4, 6, 3, bias=False).eval())
    assert no_bias.bias is None and not no_bias.training


@pytest.mark.parametrize(
    'conv',
    [
        nn.Conv2d(4, 6, 3, stride=2, padding=1),
        nn.Conv2d(4, 6, 3, padding=1, padding_mode='circular'),
        nn.Conv2d(4, 6, 3, padding=1, groups=2),
        nn.Conv2d(4, 6, 5, padding=2),
        nn.Conv2d(6, 3, 7, stride=2),  # thin, but strided
    ],
)
def test_layers_the_kernels_do_not_compute_stay(conv):
    assert convert_to_cpu_kernels(conv) is conv


def test_outputs_and_gradients_match_the_unconverted_generator():
    native, fast = generator_pair()
    x = torch.rand(2, 3, 16, 20) * 2 - 1
    y_native, y_fast = native(x), fast(x)
    torch.testing.assert_close(y_fast, y_native, rtol=0, atol=1e-5)
    params = [list(net.parameters()) for net in (native, fast)]
    grads = [
        torch.autograd.grad(y.square().sum(), p)
        for y, p in zip((y_native, y_fast), params)
    ]
    for (name, _), expected, grad in zip(native.named_parameters(), *grads):
        # Biases before instance norm get rounding noise only (true value 0).
        if name.endswith('conv.bias') and not name.startswith('head'):
            continue
        assert (grad - expected).norm() <= 1e-4 * expected.norm(), name


def test_converting_again_changes_nothing():
    _, fast = generator_pair()
    types, hooks = (
        layer_types(fast),
        (len(fast._forward_pre_hooks), len(fast._forward_hooks)),
    )
    assert convert_to_cpu_kernels(fast) is fast
    assert layer_types(fast) == types
    assert (len(fast._forward_pre_hooks), len(fast._forward_hooks)) == hooks == (1, 1)


def test_the_top_module_transforms_each_weight_once_per_forward(monkeypatch):
    torch.manual_seed(0)
    generators = MODELS.build(
        dict(
            type='CycleGenerators',
            generator_A=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
        )
    )
    convert_to_cpu_kernels(generators)
    transforms = []
    original = winograd_module.winograd_weight

    def counting(weight):
        transforms.append(weight)
        return original(weight)

    monkeypatch.setattr(winograd_module, 'winograd_weight', counting)
    real_A, real_B = torch.rand(2, 1, 3, 16, 16) * 2 - 1
    generators(real_A, real_B, with_identity=True)  # each generator thrice
    assert len(transforms) == 4  # 2 generators x 2 Winograd convs
    assert winograd_module._reuse.depth == 0  # the scope ends with the forward
    # A forward that raises leaves the scope too.
    with pytest.raises(ValueError, match='divisible by 4'):
        generators(torch.rand(1, 3, 10, 10))
    assert winograd_module._reuse.depth == 0


def test_a_cycle_gan_with_cpu_kernels_shares_checkpoints():
    cfg = dict(
        type='CycleGAN',
        generator=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
        discriminator=dict(type='PatchDiscriminator', base_channels=4, num_conv=1),
    )
    fast = MODELS.build(dict(cfg, cpu_kernels=True))
    plain = MODELS.build(cfg)
    assert isinstance(fast.generators.A.blocks[0].conv1.conv, WinogradConv2d)
    # The discriminators stay PyTorch's (their 512 -> 1 conv is thin, but the
    # kernels were not measured to pay there).
    assert not any(
        isinstance(m, (WinogradConv2d, ThinConv2d, FusedInstanceNorm2d))
        for m in fast.discriminators.modules()
    )
    plain.load_state_dict(fast.state_dict())
    fast.load_state_dict(plain.state_dict())
