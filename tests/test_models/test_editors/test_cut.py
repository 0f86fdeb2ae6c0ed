"""The CUT model: its step, its inference, its guard, mixed precision."""

import pytest
import torch
from mmengine.structures import BaseDataElement

from cyclegan_plugin.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

SIZE = 32


def build_model(**kwargs):
    cfg = dict(
        type='CUT',
        generator=dict(
            type='ResnetGenerator', base_channels=4, num_blocks=5, antialias=True
        ),
        discriminator=dict(
            type='PatchDiscriminator', base_channels=4, num_conv=2, antialias=True
        ),
        sampler=dict(type='PatchSampleF', num_channels=32),
        num_patches=16,
    )
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def build_wrappers(model, wrapper_type='OptimWrapper', **extra):
    adam = dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))
    cfg = {
        name: dict(type=wrapper_type, optimizer=adam, **extra)
        for name in ('generators', 'discriminators')
    }
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='MultiOptimWrapperConstructor', optim_wrapper_cfg=cfg)
    )(model)


def batch(n=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    images = [
        torch.randint(0, 256, (3, SIZE, SIZE), generator=g, dtype=torch.uint8)
        for _ in range(2 * n)
    ]
    samples = [BaseDataElement(metainfo=dict(img_A_path=f'a{i}.png')) for i in range(n)]
    return dict(inputs=dict(img_A=images[:n], img_B=images[n:]), data_samples=samples)


def params(module):
    return [p.detach().clone() for p in module.parameters()]


def changed(before, module):
    return any(not torch.equal(a, b) for a, b in zip(before, module.parameters()))


def test_one_optimizer_holds_g_and_f_and_the_step_updates_all():
    model = build_model()
    wrappers = build_wrappers(model)
    g_params = {
        id(p) for group in wrappers['generators'].param_groups for p in group['params']
    }
    assert {id(p) for p in model.generators.F.parameters()} <= g_params
    g0, f0, d0 = (
        params(model.generators.A),
        params(model.generators.F),
        params(model.discriminators),
    )
    logs = model.train_step(batch(), wrappers)
    assert set(logs) == {
        'loss_gan',
        'loss_nce',
        'loss_nce_idt',
        'loss_D_fake',
        'loss_D_real',
        'loss_G',
        'loss_D',
    }
    assert all(torch.isfinite(v) for v in logs.values())
    assert changed(g0, model.generators.A) and changed(f0, model.generators.F)
    assert changed(d0, model.discriminators)


def test_fastcut_settings_drop_the_identity_term():
    model = build_model(nce_idt=False, flip_equivariance=True)
    logs = model.train_step(batch(), build_wrappers(model))
    assert 'loss_nce_idt' not in logs
    assert torch.allclose(logs['loss_G'], logs['loss_gan'] + logs['loss_nce'])


def test_bf16_mixed_precision_step():
    model = build_model()
    logs = model.train_step(
        batch(), build_wrappers(model, 'MixedPrecisionOptimWrapper')
    )
    assert all(torch.isfinite(v) for v in logs.values())
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_gradient_accumulation_steps_every_second_call():
    model = build_model()
    wrappers = build_wrappers(model, accumulative_counts=2)
    g0 = params(model.generators)
    model.train_step(batch(seed=1), wrappers)
    assert not changed(g0, model.generators)
    model.train_step(batch(seed=2), wrappers)
    assert changed(g0, model.generators)


def test_inference_is_a_to_b_only():
    model = build_model().eval()
    x = torch.rand(2, 3, SIZE, SIZE) * 2 - 1
    with torch.no_grad():
        assert torch.equal(
            model(x, mode='tensor', direction='AtoB'), model.generators.A(x)
        )
        out = model.val_step(batch())
    assert set(out[0].keys()) >= {'real_A', 'fake_B', 'real_B', 'idt_A'}
    with torch.no_grad():
        fast = build_model(nce_idt=False).eval().val_step(batch())
    assert 'idt_A' not in fast[0].keys()
    assert out[0].fake_B.dtype == torch.uint8 and out[0].fake_B.shape == (3, SIZE, SIZE)
    assert out[1].img_A_path == 'a1.png'
    with pytest.raises(ValueError, match="A to B only, but got direction='BtoA'"):
        model.translate(x, 'BtoA')


def test_non_finite_loss_is_skipped_then_stops(monkeypatch):
    model = build_model(max_nonfinite_streak=2)
    wrappers = build_wrappers(model)
    g0, d0 = params(model.generators), params(model.discriminators)
    real_nce = model.nce_loss.forward
    monkeypatch.setattr(
        model.nce_loss, 'forward', lambda *a: real_nce(*a) * float('nan')
    )
    logs = model.train_step(batch(seed=3), wrappers)
    assert logs['nonfinite_skipped'] == 1
    assert not changed(g0, model.generators)
    assert changed(d0, model.discriminators)  # D's step came first, on finite losses
    with pytest.raises(RuntimeError, match='lower learning rate'):
        model.train_step(batch(seed=4), wrappers)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match='num_patches=0'):
        build_model(num_patches=0)
    with pytest.raises(ValueError, match='non-empty list'):
        build_model(nce_layers=['nope'])
