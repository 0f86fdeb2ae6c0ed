import pytest
import torch
from mmengine.structures import BaseDataElement

from cyclegan_plugin.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

SIZE = 32


def build_model(**kwargs):
    cfg = dict(
        type='CycleGAN',
        generator=dict(type='ResnetGenerator', base_channels=8, num_blocks=1),
        discriminator=dict(type='PatchDiscriminator', base_channels=8, num_conv=2),
        buffer=dict(type='ImageBuffer', buffer_size=4, seed=0),
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
    samples = [
        BaseDataElement(metainfo=dict(img_A_path=f'a{i}.png', img_B_path=f'b{i}.png'))
        for i in range(n)
    ]
    return dict(inputs=dict(img_A=images[:n], img_B=images[n:]), data_samples=samples)


def params(module):
    return [p.detach().clone() for p in module.parameters()]


def changed(before, module):
    return any(not torch.equal(a, b) for a, b in zip(before, module.parameters()))


def test_train_step_logs_every_term_and_updates_both():
    model = build_model()
    wrappers = build_wrappers(model)
    g0, d0 = params(model.generators), params(model.discriminators)
    logs = model.train_step(batch(), wrappers)
    assert set(logs) == {
        'loss_gan_A',
        'loss_gan_B',
        'loss_cycle_A',
        'loss_cycle_B',
        'loss_idt_A',
        'loss_idt_B',
        'loss_D_A',
        'loss_D_B',
        'loss_G',
        'loss_D',
    }
    assert all(torch.isfinite(v) for v in logs.values())
    assert changed(g0, model.generators) and changed(d0, model.discriminators)
    assert len(model.image_buffers['fake_A']) == 2
    # Discriminators are trainable again after the generator step.
    assert all(p.requires_grad for p in model.discriminators.parameters())


def test_identity_off_and_other_gan_loss_from_config():
    model = build_model(
        identity_loss=None, gan_loss=dict(type='GANLoss', gan_type='hinge')
    )
    logs = model.train_step(batch(), build_wrappers(model))
    assert 'loss_idt_A' not in logs and 'loss_idt_B' not in logs
    out = model(dict(img_A=torch.zeros(1, 3, SIZE, SIZE)), mode='tensor')
    assert 'idt_B' not in out


def test_wgangp_adds_gradient_penalty():
    model = build_model(
        gan_loss=dict(type='GANLoss', gan_type='wgangp'),
        gp_loss=dict(type='GradientPenaltyLoss'),
    )
    logs = model.train_step(batch(), build_wrappers(model))
    assert logs['loss_gp_A'] > 0 and logs['loss_gp_B'] > 0


def test_gradient_accumulation_steps_every_second_call():
    model = build_model()
    wrappers = build_wrappers(model, accumulative_counts=2)
    g0 = params(model.generators)
    model.train_step(batch(seed=1), wrappers)
    assert not changed(g0, model.generators)
    model.train_step(batch(seed=2), wrappers)
    assert changed(g0, model.generators)


def test_bf16_mixed_precision_step():
    model = build_model()
    wrappers = build_wrappers(model, 'MixedPrecisionOptimWrapper')
    logs = model.train_step(batch(), wrappers)
    assert all(torch.isfinite(v) for v in logs.values())
    assert all(p.dtype == torch.float32 for p in model.parameters())
    # Buffered fakes stay fp32 whatever the autocast dtype.
    assert model.image_buffers['fake_B'].images[0].dtype == torch.float32


def test_val_and_test_step_return_uint8_translations_with_metainfo():
    model = build_model().eval()
    with torch.no_grad():
        out = model.val_step(batch())
        same = model.test_step(batch())
    assert len(out) == 2
    fields = (
        'real_A',
        'fake_B',
        'rec_A',
        'real_B',
        'fake_A',
        'rec_B',
        'idt_A',
        'idt_B',
    )
    for name in fields:
        t = out[0].get(name)
        assert t.dtype == torch.uint8 and t.shape == (3, SIZE, SIZE)
        assert torch.equal(t, same[0].get(name))
    assert out[1].img_A_path == 'a1.png'
    assert torch.equal(out[0].real_A, batch()['inputs']['img_A'][0])


def test_forward_tensor_translates_one_direction():
    model = build_model().eval()
    x = torch.rand(2, 3, SIZE, SIZE) * 2 - 1
    y = model(x, mode='tensor', direction='BtoA')
    assert torch.equal(y, model.generators.B(x))
    assert y.min() >= -1 and y.max() <= 1
    out = model(dict(img_A=x, img_B=x), mode='tensor', direction='AtoB')
    assert set(out) == {'real_A', 'fake_B', 'rec_A'}
    with pytest.raises(ValueError, match='direction'):
        model(x, mode='tensor')
    with pytest.raises(NotImplementedError, match='train_step'):
        model(x, mode='loss')


def test_non_finite_loss_is_skipped_then_stops(monkeypatch, caplog):
    model = build_model(max_nonfinite_streak=3)
    wrappers = build_wrappers(model)
    model.train_step(batch(), wrappers)
    g0, d0 = params(model.generators), params(model.discriminators)
    stored = len(model.image_buffers['fake_A'])
    real_cycle = model.cycle_loss.forward
    monkeypatch.setattr(
        model.cycle_loss, 'forward', lambda *a: real_cycle(*a) * float('nan')
    )
    logs = model.train_step(batch(seed=3), wrappers)
    assert logs['nonfinite_skipped'] == 1
    assert not changed(g0, model.generators)
    assert not changed(d0, model.discriminators)
    assert len(model.image_buffers['fake_A']) == stored  # no NaN fakes stored
    model.train_step(batch(seed=4), wrappers)
    with pytest.raises(RuntimeError, match='lower learning rate'):
        model.train_step(batch(seed=5), wrappers)
    # A finite step in between resets the streak.
    monkeypatch.setattr(model.cycle_loss, 'forward', real_cycle)
    model.nonfinite_guard.streak = 0
    model.train_step(batch(seed=6), wrappers)
    assert changed(g0, model.generators)


def test_training_needs_both_domains():
    model = build_model()
    data = batch()
    del data['inputs']['img_B']
    with pytest.raises(KeyError, match='img_B'):
        model.train_step(data, build_wrappers(model))
