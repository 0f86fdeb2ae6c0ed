"""Activation checkpointing (``with_cp``): same results, less saved memory."""

import pytest
import torch

from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator

from ..test_editors.test_cycle_gan import batch, build_model, build_wrappers


def saved_bytes(module, x) -> int:
    """Bytes autograd keeps for the backward pass of ``module(x)``."""
    total = 0

    def pack(tensor):
        nonlocal total
        total += tensor.numel() * tensor.element_size()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        module(x).sum().backward()
    return total


def grads_after_backward(module, x):
    torch.manual_seed(0)  # dropout masks
    module.zero_grad()
    x = x.clone().requires_grad_()
    out = module(x)
    out.square().mean().backward()
    return out, x.grad, {n: p.grad.clone() for n, p in module.named_parameters()}


def generator(with_cp=False, **kwargs):
    torch.manual_seed(0)
    net = ResnetGenerator(base_channels=8, num_blocks=2, with_cp=with_cp, **kwargs)
    net.init_weights()
    return net.train()


@pytest.mark.parametrize(
    'with_cp',
    [True, ['blocks'], ['downsample', 'blocks', 'upsample'], ['stem', 'head'], 'all'],
)
@pytest.mark.parametrize('use_dropout', [False, True])
def test_generator_gradients_bit_exact_and_less_memory(with_cp, use_dropout):
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    plain = generator(use_dropout=use_dropout)
    ours = generator(with_cp, use_dropout=use_dropout)
    assert plain.state_dict().keys() == ours.state_dict().keys()
    out, x_grad, grads = grads_after_backward(plain, x)
    out_cp, x_grad_cp, grads_cp = grads_after_backward(ours, x)
    assert torch.equal(out, out_cp) and torch.equal(x_grad, x_grad_cp)
    assert all(torch.equal(grads[n], grads_cp[n]) for n in grads)
    assert saved_bytes(ours, x) < 0.8 * saved_bytes(plain, x)


def test_discriminator_gradients_bit_exact_and_less_memory():
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(2))
    nets = []
    for with_cp in (False, True):
        torch.manual_seed(0)
        net = PatchDiscriminator(base_channels=8, num_conv=3, with_cp=with_cp)
        net.init_weights()
        nets.append(net)
    (out, x_grad, grads), (out_cp, x_grad_cp, grads_cp) = (
        grads_after_backward(net, x) for net in nets
    )
    assert torch.equal(out, out_cp) and torch.equal(x_grad, x_grad_cp)
    assert all(torch.equal(grads[n], grads_cp[n]) for n in grads)
    assert saved_bytes(nets[1], x) < 0.8 * saved_bytes(nets[0], x)


def test_no_checkpointing_without_gradients():
    net = generator(True)
    x = torch.randn(1, 3, 16, 16)
    with torch.no_grad():
        assert torch.equal(net(x), generator()(x))
    for bad in (['tail'], 'blocks', ['stem', 'all']):
        with pytest.raises(ValueError, match="with_cp must be a bool, 'all'"):
            ResnetGenerator(with_cp=bad)


def test_every_stage_and_the_stem_each_save_memory():
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(3))
    saved = {
        str(cp): saved_bytes(generator(cp), x)
        for cp in (False, ['downsample', 'blocks', 'upsample'], 'all', ['stem'])
    }
    assert generator('all').checkpointed_stages == {
        'stem',
        'downsample',
        'blocks',
        'upsample',
        'head',
    }
    # The stem's conv output (kept for its norm's backward) at full
    # resolution: checkpointing the stem too keeps markedly less.
    assert saved['all'] < 0.9 * saved[str(['downsample', 'blocks', 'upsample'])]
    assert saved[str(['stem'])] < saved['False']


def train_twice(with_cp, wrapper_type='OptimWrapper', cpu_kernels=False):
    torch.manual_seed(0)
    model = build_model(
        generator=dict(
            type='ResnetGenerator', base_channels=8, num_blocks=2, with_cp=with_cp
        ),
        discriminator=dict(
            type='PatchDiscriminator',
            base_channels=8,
            num_conv=2,
            with_cp=bool(with_cp),
        ),
        cpu_kernels=cpu_kernels,
    )
    wrappers = build_wrappers(model, wrapper_type)
    logs = [model.train_step(batch(seed=s), wrappers) for s in (0, 1)]
    return model, logs


@pytest.mark.parametrize('with_cp', [True, 'all'])
@pytest.mark.parametrize(
    'wrapper_type, cpu_kernels',
    [
        ('OptimWrapper', False),
        ('OptimWrapper', True),
        ('MixedPrecisionOptimWrapper', False),
    ],
)
def test_cyclegan_training_identical_with_checkpointing(
    wrapper_type, cpu_kernels, with_cp
):
    # fp32, the CPU fast path and bf16 autocast: the recomputation repeats the
    # same kernels on the same inputs, so two steps end with the same weights.
    plain, plain_logs = train_twice(False, wrapper_type, cpu_kernels)
    ours, logs = train_twice(with_cp, wrapper_type, cpu_kernels)
    assert logs == plain_logs
    assert_same(plain.state_dict(), ours.state_dict())


def assert_same(a, b, where='state_dict'):
    """Equal nested states: tensors bit for bit, the rest by value."""
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], f'{where}.{key}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f'{where}[{i}]')
    else:
        assert a == b, where
