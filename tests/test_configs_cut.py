"""The CUT and FastCUT recipes: the authors' defaults, FastCUT derived from CUT."""

from pathlib import Path

import torch
from mmengine.config import Config

from cyclegan_plugin.models.editors.cut import AUTHORS_NCE_LAYERS
from cyclegan_plugin.registry import MODELS

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'


def _load(name: str) -> Config:
    return Config.fromfile(str(CONFIGS / name))


def test_cut_recipe_is_the_authors_defaults():
    cfg = _load('cut_h2z.py')
    m = cfg.model
    assert m.type == 'CUT' and m.nce_idt and not m.flip_equivariance
    assert m.nce_loss.loss_weight == 1.0 and m.gan_weight == 1.0
    assert (
        m.nce_loss.temperature == 0.07 and not m.nce_loss.all_negatives_from_minibatch
    )
    assert m.num_patches == 256 and m.sampler.num_channels == 256
    assert tuple(m.nce_layers) == AUTHORS_NCE_LAYERS
    assert m.generator.antialias and m.generator.upsample_mode == 'blur_conv'
    assert m.discriminator.antialias and m.gan_loss.gan_type == 'lsgan'
    assert 'buffer' not in m
    # 200 + 200 epochs of 1334 iterations, Adam 2e-4 (0.5, 0.999) for both groups.
    assert cfg.train_cfg.max_iters == 400 * 1334
    assert (cfg.param_scheduler.begin, cfg.param_scheduler.end) == (266800, 533600)
    for group in ('generators', 'discriminators'):
        opt = cfg.optim_wrapper[group].optimizer
        assert (opt.lr, tuple(opt.betas)) == (2e-4, (0.5, 0.999))
    assert all(
        e.directions == ('AtoB',) for e in cfg.val_evaluator + cfg.test_evaluator
    )


def test_fastcut_changes_only_its_settings():
    cut, fast = _load('cut_h2z.py'), _load('fastcut_h2z.py')
    changed = {k for k in cut.model if cut.model[k] != fast.model[k]}
    assert changed == {'nce_idt', 'nce_loss', 'flip_equivariance'}
    assert not fast.model.nce_idt and fast.model.flip_equivariance
    assert fast.model.nce_loss.loss_weight == 10.0
    assert fast.train_cfg.max_iters == 200 * 1334
    assert (fast.param_scheduler.begin, fast.param_scheduler.end) == (200100, 266800)


def test_cut_model_builds_with_one_optimizer_group_per_network_kind():
    cfg = _load('cut_h2z.py')
    model = MODELS.build(cfg.model)
    assert set(dict(model.named_children())) >= {'generators', 'discriminators'}
    assert {n for n, _ in model.generators.named_children()} == {'A', 'F'}
    assert not hasattr(model.generators, 'B')
    channels = model.generators.A.feature_channels(cfg.model.nce_layers)
    assert channels == [3, 128, 256, 256, 256]
    with torch.no_grad():
        assert model.discriminators.A(torch.zeros(1, 3, 64, 64)).shape == (1, 1, 6, 6)


def test_fastcut_cpu_budget_matches_the_cyclegan_cpu_recipe():
    fast, cycle = _load('fastcut_h2z_cpu.py'), _load('cyclegan_h2z_cpu.py')
    reference = _load('fastcut_h2z.py')
    changed = {k for k in reference.model if reference.model[k] != fast.model[k]}
    assert changed == {'generator'}  # FastCUT's loss and options unchanged
    for key in ('base_channels', 'num_blocks'):
        assert fast.model.generator[key] == cycle.model.generator[key]
    assert fast.model.discriminator.base_channels == 64
    for loader in ('train_dataloader', 'val_dataloader'):
        assert fast[loader].batch_size == cycle[loader].batch_size
        assert fast[loader].dataset.pipeline == cycle[loader].dataset.pipeline
    assert fast.optim_wrapper == cycle.optim_wrapper  # bf16, Adam 2e-4
    n = fast.train_cfg.max_iters
    assert (fast.param_scheduler.begin, fast.param_scheduler.end) == (n // 2, n)
    model = MODELS.build(fast.model)
    x = torch.zeros(1, 3, 64, 64)
    with torch.no_grad():
        feats = model.generators.A.encode(x, fast.model.nce_layers)
    # The deepest NCE layer holds exactly the 256 sampled patches.
    assert feats[-1].shape[-2:] == (16, 16) and fast.model.num_patches == 256
