"""Helpers for tool tests: tiny configs on real images, running scripts."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
H2Z = REPO.parent / 'shared' / 'data' / 'horse2zebra'


def write_tiny_config(
    path: Path,
    max_iters: int = 6,
    ckpt_interval: int = 3,
    num_workers: int = 0,
    **extra: str,
) -> Path:
    """A 32 px, 4-image horse2zebra config inheriting the shipped recipe."""
    lines = [
        f"_base_ = '{REPO / 'configs' / 'cyclegan_h2z.py'}'",
        f"data_root = '{H2Z}'",
        'model = dict(',
        '    generator=dict(base_channels=8, num_blocks=1),',
        '    discriminator=dict(base_channels=8, num_conv=2))',
        'train_pipeline = [',
        "    dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),",
        "    dict(type='ResizeImages', keys=['img_A', 'img_B'], scale=40),",
        "    dict(type='RandomCropImages', keys=['img_A', 'img_B'], crop_size=32),",
        "    dict(type='RandomFlipImages', keys=['img_A', 'img_B'], prob=0.5),",
        "    dict(type='PackTranslationInputs', keys=['img_A', 'img_B'])]",
        f'train_dataloader = dict(num_workers={num_workers}, '
        f'persistent_workers={num_workers > 0}, pin_memory=False, '
        'dataset=dict(data_root=data_root, max_dataset_size=4, '
        'pipeline=train_pipeline))',
        'val_dataloader = None',
        'val_cfg = None',
        'val_evaluator = None',
        'test_dataloader = None',
        'test_cfg = None',
        'test_evaluator = None',
        f'train_cfg = dict(max_iters={max_iters}, val_interval={max_iters})',
        f'param_scheduler = dict(begin={max_iters // 2}, end={max_iters})',
        'custom_hooks = []',
        'default_hooks = dict(logger=dict(interval=1), '
        f'checkpoint=dict(interval={ckpt_interval}, max_keep_ckpts=10))',
        "env_cfg = dict(mp_cfg=dict(mp_start_method='fork'))",
    ]
    lines += [f'{k} = {v}' for k, v in extra.items()]
    path.write_text('\n'.join(lines) + '\n')
    return path


def run_tool(*args, check: bool = True) -> subprocess.CompletedProcess:
    """Run a repo script (``tools/...``) in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}'
        )
    return proc
