"""The configs/mmagic examples train and validate for real through the Runner.

Shrunk to seconds: 32 px images, small networks, 3 iterations, a few images,
and a stand-in Inception for MMagic's TransFID (see conftest.py).
"""

import math
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS, DefaultScope
from mmengine.runner import Runner

pytestmark = pytest.mark.mmagic

REPO = Path(__file__).parents[2]
CONFIGS = REPO / 'configs' / 'mmagic'
IN_MMAGIC = (
    CONFIGS / 'cyclegan_in-mmagic_resnet9-patchgan_1xb1-266800iters_horse2zebra.py'
)
WITH_MMAGIC = (
    CONFIGS
    / 'cyclegan_with-mmagic-metrics_resnet9-patchgan_1xb1-266800iters_horse2zebra.py'
)
ITERS = 3


def _shrink_pipeline(pipeline: list) -> None:
    # Resize/Crop sit inside MMagic's TransformBroadcaster: a list of
    # transforms for training, a single one for testing.
    for step in pipeline:
        inner = step.get('transforms')
        if inner is None:
            continue
        train = isinstance(inner, list)
        for transform in inner if train else [inner]:
            if transform['type'].endswith('Resize'):
                transform['scale'] = (36, 36) if train else (32, 32)
            elif transform['type'].endswith('Crop'):
                transform['crop_size'] = (32, 32)


def _tiny(config: Path, data_root: Path, work_dir: Path, inception: str) -> Config:
    cfg = Config.fromfile(config)
    cfg.work_dir = str(work_dir)
    cfg.model.generator.update(base_channels=8, num_blocks=2)
    cfg.model.discriminator.update(base_channels=8, num_conv=2)
    cfg.model.buffer = dict(type='cyclegan_plugin.ImageBuffer', buffer_size=2)
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        loader.update(num_workers=0, persistent_workers=False)
        loader.dataset.data_root = str(data_root)
        _shrink_pipeline(loader.dataset.pipeline)
    cfg.train_cfg.update(max_iters=ITERS, val_interval=ITERS)
    cfg.param_scheduler.update(begin=1, end=ITERS)
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = ITERS
    for metric in cfg.val_evaluator.metrics:
        # 5 horses, 6 zebras in the subset; real features cached in the test dir.
        metric.update(
            inception_path=inception,
            fake_nums=6,
            inception_pkl=str(work_dir / f'{metric.prefix}.pkl'),
        )
    cfg.test_evaluator = cfg.val_evaluator
    for hook in cfg.custom_hooks:
        hook.update(interval=1, n_samples=2)
    cfg.randomness = dict(seed=0)
    return cfg


def _build(cfg: Config) -> Runner:
    # As tools/train.py (ours and MMagic's): the config's runner_type if any,
    # looked up in the config's scope (not in the last Runner's).
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return RUNNERS.build(cfg)


def _train_and_check(cfg: Config, work_dir: Path) -> Runner:
    runner = _build(cfg)
    state = runner.model.state_dict()
    before = {k: state[k].clone() for k in state if k.startswith('generators.')}
    before.update(
        (k, state[k].clone()) for k in state if k.startswith('discriminators.')
    )
    runner.train()
    assert runner.iter == ITERS
    after = runner.model.state_dict()
    for key in ('generators.A.stem.conv.weight', 'discriminators.B.head.weight'):
        assert not torch.equal(before[key], after[key]), f'{key} did not train'
    scalars = runner.message_hub.log_scalars
    for name in ('train/loss_gan_A', 'train/loss_cycle_B', 'train/loss_D_A'):
        assert math.isfinite(scalars[name].current()), name
    # MMagic's TransFID read our model's outputs and MMagic's real images.
    for prefix in ('FID-A2B', 'FID-B2A'):
        fid = scalars[f'val/{prefix}/fid'].current()
        assert math.isfinite(fid) and fid >= 0, (prefix, fid)
    # MMagic's VisualizationHook drew translation grids every iteration.
    drawn = [p for p in work_dir.rglob('*.png') if 'trans' in p.name]
    assert drawn, f'no visualization under {work_dir}'
    assert (work_dir / f'iter_{ITERS}.pth').is_file()
    return runner


def _check_channel_order(runner: Runner) -> None:
    """The model sees RGB; MMagic's consumers get BGR back, unchanged."""
    batch = next(iter(runner.val_dataloader))
    packed_bgr = batch['data_samples'][0].img_A.to(torch.uint8)
    model = runner.model
    inputs = model.data_preprocessor(batch, False)['inputs']['img_A'][0]
    expected_rgb = packed_bgr.flip(0).float() / 127.5 - 1
    torch.testing.assert_close(inputs, expected_rgb)
    (sample,) = model.val_step(batch)
    assert torch.equal(sample.real_A, packed_bgr)
    assert sample.fake_B.shape == packed_bgr.shape
    assert sample.fake_B.dtype == torch.uint8


def test_mmagic_config_trains_our_cyclegan(
    tmp_path, horse2zebra_subset, standin_inception
):
    cfg = _tiny(IN_MMAGIC, horse2zebra_subset, tmp_path, standin_inception)
    assert cfg.default_scope == 'mmagic'
    runner = _train_and_check(cfg, tmp_path)
    assert type(runner.model).__module__.startswith('cyclegan_plugin.')
    assert type(runner.model.generators.A).__name__ == 'ResnetGenerator'
    _check_channel_order(runner)


def test_our_config_uses_mmagic_metrics_and_hook(
    tmp_path, horse2zebra_subset, standin_inception
):
    cfg = _tiny(WITH_MMAGIC, horse2zebra_subset, tmp_path, standin_inception)
    assert cfg.default_scope == 'cyclegan_plugin'
    runner = _train_and_check(cfg, tmp_path)
    _check_channel_order(runner)
