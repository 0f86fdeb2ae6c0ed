"""CycleGAN's speed options: they change how it runs, not what it computes."""

import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from cyclegan_plugin.apis import enable_amp
from cyclegan_plugin.ops import FusedInstanceNorm2d, ThinConv2d, WinogradConv2d
from cyclegan_plugin.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

from .test_cycle_gan import batch, build_model, build_wrappers


def train_twin(model_kwargs, steps=2):
    """Train a model with options and one without, from the same weights."""
    torch.manual_seed(0)  # fixed weights: the comparison must not be flaky
    ref = build_model()
    model = build_model(**model_kwargs)
    model.load_state_dict(copy.deepcopy(ref.state_dict()))
    for net, seed in ((ref, 0), (model, 0)):
        wrappers = build_wrappers(net)
        for i in range(steps):
            logs = net.train_step(batch(seed=seed + i), wrappers)
    return ref, model, logs


def assert_same_weights(a, b, atol):
    for (key, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        # The gradient of a conv bias before instance norm is rounding noise,
        # which Adam scales to a full step: those biases carry no signal.
        if isinstance(x, torch.Tensor) and not key.endswith('conv.bias'):
            torch.testing.assert_close(x, y, rtol=0, atol=atol, msg=key)


def test_channels_last_trains_the_same():
    ref, model, logs = train_twin(dict(channels_last=True))
    conv = model.generators.A.stem.conv.weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    assert all(torch.isfinite(v) for v in logs.values())
    # Same arithmetic in another order. Adam normalises each gradient, so a
    # rounding-level gradient difference can move a weight by a fraction of
    # its step (lr 2e-4): measured up to 6.5e-5 after two steps.
    assert_same_weights(ref, model, atol=1e-4)
    x = batch(n=1)['inputs']['img_A'][0][None].float() / 127.5 - 1
    with torch.no_grad():
        fake = model.translate(x)
        torch.testing.assert_close(fake, ref.translate(x), rtol=0, atol=1e-3)
    assert fake.is_contiguous(memory_format=torch.channels_last)


def test_compiled_passes_train_the_same_and_keep_state_dict_keys():
    # The 'eager' backend runs TorchDynamo's capture without code generation:
    # fast enough for a unit test, and it must compute exactly the same.
    ref, model, _ = train_twin(dict(compile_cfg=dict(backend='eager')))
    assert list(model.state_dict()) == list(ref.state_dict())
    assert_same_weights(ref, model, atol=0)
    with torch.no_grad():
        out = model.eval()(dict(img_A=torch.zeros(1, 3, 32, 32)), direction='AtoB')
    assert out['fake_B'].shape == (1, 3, 32, 32)


# build_model's generators on the CPU fast path: Winograd convs, direct head,
# fused instance norm + ReLU.
CPU_KERNELS = dict(cpu_kernels=True)


def _relu_masks(generators):
    """Record, in call order, where each ReLU of ``generators`` lets values pass."""
    masks, hooks = [], []
    for module in generators.modules():
        if isinstance(module, torch.nn.ReLU) or getattr(module, 'relu', False):
            hooks.append(
                module.register_forward_hook(
                    lambda m, i, out: masks.append(out.detach() > 0)
                )
            )
    return masks, hooks


def _replay_relu_masks(generators, masks):
    """Make each ReLU of ``generators`` apply the next recorded mask instead."""
    queue = iter(masks)
    hooks = [
        module.register_forward_hook(lambda m, inputs, out: inputs[0] * next(queue))
        for module in generators.modules()
        if isinstance(module, torch.nn.ReLU)
    ]
    return hooks, queue


def test_winograd_convs_compute_the_same_generator_gradients():
    torch.manual_seed(0)
    ref = build_model()
    model = build_model(**CPU_KERNELS)
    assert isinstance(model.generators.B.blocks[0].conv1.conv, WinogradConv2d)
    assert isinstance(model.generators.A.head.conv, ThinConv2d)
    assert isinstance(model.generators.A.stem.norm, FusedInstanceNorm2d)
    assert list(model.state_dict()) == list(ref.state_dict())
    model.load_state_dict(ref.state_dict())
    for module in ref.modules():
        if isinstance(module, torch.nn.ReLU):
            module.inplace = False  # the replayed mask needs the input
    data = ref.data_preprocessor(batch(), True)['inputs']
    real_A, real_B = data['img_A'], data['img_B']
    # A value that rounding puts on the other side of a ReLU's kink changes
    # its gradient from g to 0: one such pixel moves a gradient's norm by
    # ~1e-2, which is rounding, not a fault of the fast path. So the direct
    # path replays the ReLU masks the fast path took.
    masks, hooks = _relu_masks(model.generators)
    grads = []
    for net in (model, ref):
        if net is ref:
            for hook in hooks:
                hook.remove()
            hooks, queue = _replay_relu_masks(ref.generators, masks)
        # The generator step's losses, through the frozen discriminators.
        outputs = net.generators(real_A, real_B, with_identity=True)
        loss_G, _ = net._generator_losses(real_A, real_B, outputs)
        named = [(k, p) for k, p in net.generators.named_parameters()]
        grads.append(torch.autograd.grad(loss_G, [p for _, p in named]))
    for hook in hooks:
        hook.remove()
    assert masks and next(queue, None) is None  # one mask per ReLU call
    for (key, _), grad, expected in zip(named, *grads):
        # Biases before instance norm get rounding noise only (true value 0).
        if not key.endswith('conv.bias') or key.endswith('head.conv.bias'):
            assert (grad - expected).norm() <= 1e-4 * expected.norm(), key


def test_winograd_convs_train():
    ref, model, logs = train_twin(CPU_KERNELS, steps=2)
    assert all(torch.isfinite(v) for v in logs.values())
    # Adam normalises each gradient element, so elements whose gradient is
    # below the convolutions' rounding (~5e-6 of the tensor's norm) can step
    # the other way: at most 2 * lr per step apart (measured: 1.6e-4).
    assert_same_weights(ref, model, atol=2 * 2 * 2e-4)


def test_compile_cfg_errors_reach_the_user():
    with pytest.raises(Exception, match='no_such_option'):
        build_model(compile_cfg=dict(no_such_option=1))


def test_amp_config_switch_autocasts_both_steps():
    """``enable_amp`` (``--amp``) must reach the G step and the D step."""
    cfg = Config(
        dict(
            optim_wrapper=dict(
                constructor='MultiOptimWrapperConstructor',
                generators=dict(type='OptimWrapper', optimizer=dict(type='FastAdam')),
                discriminators=dict(
                    type='OptimWrapper', optimizer=dict(type='FastAdam')
                ),
            )
        )
    )
    enable_amp(cfg, 'bfloat16')
    model = build_model()
    wrappers = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type=cfg.optim_wrapper.pop('constructor'),
            optim_wrapper_cfg=cfg.optim_wrapper.to_dict(),
        )
    )(model)
    seen = []

    def record(name):
        return lambda module, args, out: seen.append((name, out.dtype))

    model.generators.A.stem.conv.register_forward_hook(record('G'))
    model.discriminators.A.head.register_forward_hook(record('D'))
    logs = model.train_step(batch(), wrappers)
    # G step: G_A three times, D_A once on fake_B; D step: D_A on real/fake.
    assert seen == [('G', torch.bfloat16)] * 3 + [('D', torch.bfloat16)] * 3
    # Losses are reduced in fp32; weights and optimizer state stay fp32.
    assert all(v.dtype == torch.float32 for v in logs.values())
    states = [s for w in wrappers.values() for s in w.optimizer.state.values()]
    assert states and all(s['exp_avg'].dtype == torch.float32 for s in states)


def test_model_options_from_config():
    model = MODELS.build(
        dict(
            type='CycleGAN',
            generator=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
            discriminator=dict(type='PatchDiscriminator', base_channels=4, num_conv=1),
            channels_last=True,
        )
    )
    assert model.memory_format == torch.channels_last


def test_bf16_config_file_switches_both_wrappers():
    repo = Path(__file__).resolve().parents[3]
    cfg = Config.fromfile(repo / 'configs' / 'cyclegan_demo_bf16.py')
    model = MODELS.build(cfg.model)
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        wrappers = build_optim_wrapper(model, cfg.optim_wrapper)
    for name in ('generators', 'discriminators'):
        assert type(wrappers[name]).__name__ == 'MixedPrecisionOptimWrapper'
        assert wrappers[name].cast_dtype == torch.bfloat16
