"""Parts ``quality_train`` and ``quality_scores`` of ``tools/gpu_check.py --quality``.

The paper's horse2zebra recipe (``configs/cyclegan_h2z.py``: ResNet-9,
PatchGAN, 256x256, batch 1) trained from scratch for a wall-clock budget
(:class:`~cyclegan_plugin.engine.hooks.DeadlineHook`), in bf16 unless told
otherwise (docs/benchmarks.md: bf16 learns as fp32 does), without validation
(it would spend the budget); then FID and KID of both directions on the test
sets, the identity translator scored the same way, and a grid of test images.
"""

import json
from pathlib import Path

from .context import CheckContext
from .part_training import training_summary

CONFIG = 'configs/cyclegan_h2z.py'
SCORES = ('FID-AtoB', 'FID-BtoA', 'KID-AtoB', 'KID-BtoA')
GRID_IMAGES = 4  # test images per domain in the grid
# Starting the runner and saving the last checkpoint, beyond the minutes.
_TRAIN_OVERHEAD_S = 300


def _load(config: str, work_dir: str, data_root: str, quick: bool):
    """The recipe's config; ``quick``: tiny networks at 32x32, no workers."""
    from cyclegan_plugin.apis import load_config

    cfg = load_config(config, work_dir=work_dir, data_root=data_root)
    if not quick:
        return cfg
    cfg.model.generator.update(base_channels=8, num_blocks=1)
    cfg.model.discriminator.update(base_channels=8, num_conv=2)
    for loader, scale in ((cfg.train_dataloader, 40), (cfg.test_dataloader, 32)):
        loader.update(num_workers=0, persistent_workers=False, pin_memory=False)
        for transform in loader.dataset.pipeline:
            if transform['type'] == 'ResizeImages':
                transform['scale'] = scale
            if transform['type'] == 'RandomCropImages':
                transform['crop_size'] = 32
    return cfg


def train_to_deadline(
    config: str, data_root: str, work_dir: str, minutes: float, amp: str, quick: bool
) -> dict:
    """Train until ``minutes`` are up (runs in the step's child process).

    Returns:
        dict: ``iterations``, ``stopped_at_deadline``, ``train_seconds`` and
        the ``checkpoint`` written at the end.
    """
    import time

    from cyclegan_plugin.apis import enable_amp
    from cyclegan_plugin.engine.runner.checkpoint_files import read_last_checkpoint
    from cyclegan_plugin.registry import RUNNERS

    cfg = _load(config, work_dir, data_root, quick)
    if amp == 'bf16':
        enable_amp(cfg, 'bfloat16')
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='DeadlineHook', minutes=minutes)
    ]
    cfg.default_hooks.logger.interval = 10 if quick else 100
    runner = RUNNERS.build(cfg)
    start = time.monotonic()
    runner.train()
    return dict(
        iterations=runner.iter,
        stopped_at_deadline=runner.message_hub.get_info('deadline_stop_iter')
        is not None,
        train_seconds=round(time.monotonic() - start, 1),
        checkpoint=read_last_checkpoint(work_dir, runner.logger),
    )


def score_checkpoint(
    config: str,
    data_root: str,
    work_dir: str,
    checkpoint: str,
    quick: bool,
    grid_prefix: str,
) -> dict:
    """The config's test metrics of a checkpoint and of the identity, and grids.

    Runs in the step's child process, as ``tools/test.py`` and
    ``tools/baseline_scores.py --translator identity`` would.

    Returns:
        dict: ``scores``, ``identity`` and the ``grids`` written
        (``<grid_prefix>_A.png``, ``<grid_prefix>_B.png``).
    """
    import torch
    from mmengine.dataset import pseudo_collate

    from cyclegan_plugin.apis import score_baseline
    from cyclegan_plugin.fileio import write_image_atomic
    from cyclegan_plugin.registry import RUNNERS
    from cyclegan_plugin.structures import DOMAIN_FIELDS
    from cyclegan_plugin.visualization import make_grid

    cfg = _load(config, work_dir, data_root, quick)
    cfg.load_from = checkpoint
    runner = RUNNERS.build(cfg)
    scores = {key: float(value) for key, value in runner.test().items()}
    identity = {k: float(v) for k, v in score_baseline(cfg, 'identity').items()}
    model = runner.model.eval()
    dataset = runner.test_dataloader.dataset
    count = min(GRID_IMAGES, len(dataset))
    picks = torch.linspace(0, len(dataset) - 1, count).round().long().tolist()
    with torch.no_grad():
        data = model.data_preprocessor(pseudo_collate([dataset[i] for i in picks]))
        outputs = model(data['inputs'], mode='tensor')
    grids = []
    for domain, columns in DOMAIN_FIELDS.items():
        images = [model.data_preprocessor.destruct(outputs[c]).cpu() for c in columns]
        grids.append(f'{grid_prefix}_{domain}.png')
        write_image_atomic(grids[-1], make_grid(images))
    return dict(scores=scores, identity=identity, grids=grids)


def run_quality_train(ctx: CheckContext, results: dict) -> dict:
    """Train the recipe for ``--quality`` minutes."""
    work = ctx.work_dir / 'quality'
    out = ctx.work_dir / 'quality_train.json'
    kwargs = dict(
        config=CONFIG,
        data_root=str(ctx.data_root),
        work_dir=str(work),
        minutes=ctx.quality_minutes,
        amp=ctx.quality_amp,
        quick=ctx.quick,
    )
    timeout = 60 * ctx.quality_minutes + _TRAIN_OVERHEAD_S
    argv = ctx.child('quality_train', out, **kwargs)
    ctx.runner.run('quality_train', argv, timeout_s=timeout).check()
    trained = json.loads(out.read_text())
    summary = training_summary(work)
    fields = dict(
        config=CONFIG,
        data_root=str(ctx.data_root),
        amp=ctx.quality_amp,
        minutes=ctx.quality_minutes,
        **trained,  # the runner's iterations, not the last ones logged
        **{k: v for k, v in summary.items() if k not in trained},
    )
    if not summary['finite']:
        return dict(
            status='failed',
            error=f'non-finite loss: {summary["first_nonfinite"]}',
            **fields,
        )
    return dict(status='ok', **fields)


def run_quality_scores(ctx: CheckContext, results: dict) -> dict:
    """FID/KID of the trained checkpoint and of the identity, and the grids."""
    trained = results['quality_train']
    if trained['status'] != 'ok':
        return dict(status='skipped', reason='quality_train did not succeed')
    out = ctx.work_dir / 'quality_scores.json'
    prefix = ctx.out.with_name(ctx.out.stem + '_grid')
    kwargs = dict(
        config=CONFIG,
        data_root=str(ctx.data_root),
        work_dir=str(ctx.work_dir / 'quality_test'),
        checkpoint=trained['checkpoint'],
        quick=ctx.quick,
        grid_prefix=str(prefix),
    )
    argv = ctx.child('quality_scores', out, **kwargs)
    ctx.runner.run('quality_scores', argv, timeout_s=900).check()
    scored = json.loads(out.read_text())
    main, identity = scored['scores'], scored['identity']
    return dict(
        status='ok',
        checkpoint=trained['checkpoint'],
        iterations=trained['iterations'],
        scores=main,
        identity=identity,
        margin={k: round(identity[k] - main[k], 4) for k in SCORES},
        beats_identity={k: main[k] < identity[k] for k in SCORES},
        grids=[str(Path(g).relative_to(ctx.out.parent)) for g in scored['grids']],
    )
