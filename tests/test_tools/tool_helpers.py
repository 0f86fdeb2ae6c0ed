"""Helpers for tool tests: tiny configs on generated images, running scripts."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Union

from cyclegan_plugin.datasets.synthetic_scenes import write_synthetic_dataset

REPO = Path(__file__).resolve().parents[2]
# The generated data set: 4 training images per domain, TINY_TEST test pairs.
TINY_TEST = 6
TINY_SIZE = 64


def tiny_data_root() -> Path:
    """A generated CycleGAN-layout folder (``trainA`` ... ``testB``, PNGs).

    Written once per test process and removed at its exit; every tool test
    trains on it, so the suite needs no downloaded data.
    """
    root = Path(tempfile.gettempdir()) / f'cyclegan_plugin_tests_{os.getpid()}' / 'data'
    if not root.is_dir():
        write_synthetic_dataset(
            root, num_train=4, num_test=TINY_TEST, img_size=TINY_SIZE, seed=3
        )
        atexit.register(shutil.rmtree, root.parent, True)
    return root


def write_tiny_config(
    path: Path,
    max_iters: int = 6,
    ckpt_interval: int = 3,
    num_workers: int = 0,
    data: Optional[Union[str, Path]] = None,
    **extra: str,
) -> Path:
    """A 32 px, 4-image config inheriting the shipped horse2zebra recipe.

    ``data`` is the data root, by default :func:`tiny_data_root`.
    """
    data = tiny_data_root() if data is None else data
    lines = [
        f"_base_ = '{REPO / 'configs' / 'cyclegan_h2z.py'}'",
        f"data_root = '{data}'",
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
