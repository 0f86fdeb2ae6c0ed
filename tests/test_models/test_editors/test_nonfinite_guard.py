"""NonFiniteGuard: non-finite gradients of finite losses, finite blow-ups."""

import logging
from pathlib import Path

import pytest
import torch
from mmengine.logging import MMLogger

from .test_cycle_gan import batch, build_model, build_wrappers, changed, params


@pytest.fixture
def warnings_logged():
    """The messages print_log(logger='current') sends at WARNING or above."""
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logger = MMLogger.get_current_instance()
    handler = Keep(level=logging.WARNING)
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def nan_grad(param):
    return param.register_hook(lambda grad: grad * float('nan'))


@pytest.mark.parametrize('nets', ['generators', 'discriminators'])
def test_nan_gradient_of_a_finite_loss_skips_the_update(nets, warnings_logged):
    model = build_model()
    wrappers = build_wrappers(model)
    model.train_step(batch(), wrappers)
    g0, d0 = params(model.generators), params(model.discriminators)
    handle = nan_grad(next(getattr(model, nets).parameters()))
    logs = model.train_step(batch(seed=1), wrappers)
    handle.remove()
    assert all(torch.isfinite(logs[k]) for k in ('loss_G', 'loss_cycle_A'))
    assert logs['nonfinite_skipped'] == 1
    # The skipped networks keep their weights; the generators' update of a
    # discriminator-only failure stays applied.
    assert not changed(d0, model.discriminators)
    assert changed(g0, model.generators) == (nets == 'discriminators')
    for p in [*model.generators.parameters(), *model.discriminators.parameters()]:
        assert torch.isfinite(p).all()
        assert p.grad is None or not p.grad.abs().sum()
    assert any('non-finite gradients' in m for m in warnings_logged)
    # The next step is clean again: it updates and resets the streak.
    model.train_step(batch(seed=2), wrappers)
    assert changed(d0, model.discriminators)
    assert model.nonfinite_guard.streak == 0


def test_nan_gradients_in_a_row_stop_training():
    model = build_model(max_nonfinite_streak=2)
    wrappers = build_wrappers(model)
    handle = nan_grad(next(model.generators.parameters()))
    model.train_step(batch(), wrappers)
    with pytest.raises(RuntimeError, match='non-finite losses or gradients'):
        model.train_step(batch(seed=1), wrappers)
    handle.remove()
    assert all(torch.isfinite(p).all() for p in model.generators.parameters())


def lr_wrappers(model, lr):
    wrappers = build_wrappers(model)
    for wrapper in wrappers.values():
        for group in wrapper.optimizer.param_groups:
            group['lr'] = lr
    return wrappers


def test_finite_blow_up_warns_then_stops(warnings_logged):
    # lr=1e6 keeps every loss finite but ~1e12 to 1e16 from the second step.
    model = build_model(divergence_cfg=dict(patience=5))
    wrappers = lr_wrappers(model, 1e6)
    model.train_step(batch(), wrappers)
    for seed in range(1, 5):
        logs = model.train_step(batch(seed=seed), wrappers)
        assert torch.isfinite(logs['loss_G']) and logs['loss_G'] > 1e6
    warned = [m for m in warnings_logged if 'may be diverging' in m]
    assert len(warned) == 2  # loss_G and loss_D, once each
    assert 'loss_G' in warned[0] and '1000x its running median' in warned[0]
    with pytest.raises(RuntimeError, match=r'loss_G stayed above 1000x .*5 itera'):
        model.train_step(batch(seed=5), wrappers)


def test_normal_training_is_never_flagged(warnings_logged):
    # patience=1: the first flag would already stop training.
    model = build_model(divergence_cfg=dict(patience=1))
    wrappers = build_wrappers(model)
    for seed in range(30):
        model.train_step(batch(seed=seed), wrappers)
    assert not warnings_logged


def test_divergence_check_can_be_turned_off():
    model = build_model(divergence_cfg=dict(factor=None, patience=1))
    wrappers = lr_wrappers(model, 1e6)
    for seed in range(4):
        model.train_step(batch(seed=seed), wrappers)


@pytest.mark.parametrize(
    'cfg, match',
    [
        (dict(factr=10), "no key 'factr'"),
        (dict(factor=1), 'divergence_cfg.factor must be > 1'),
        (dict(patience=0), 'divergence_cfg.patience must be an integer >= 1'),
        (dict(window=2.5), 'divergence_cfg.window must be an integer >= 1'),
    ],
)
def test_bad_divergence_cfg_is_named(cfg, match):
    with pytest.raises(ValueError, match=match):
        build_model(divergence_cfg=cfg)


def test_thresholds_can_be_set_from_the_command_line():
    from cyclegan_plugin.apis import load_config
    from cyclegan_plugin.registry import MODELS

    demo = Path(__file__).resolve().parents[3] / 'configs' / 'cyclegan_demo.py'
    cfg = load_config(
        str(demo),
        {'model.divergence_cfg.patience': 3, 'model.divergence_cfg.factor': 1e4},
    )
    guard = MODELS.build(cfg.model).nonfinite_guard
    assert (guard.divergence_patience, guard.divergence_factor) == (3, 1e4)
    assert (guard.divergence_window, guard.divergence_floor) == (100, 1.0)
