"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--out DIR]``.

Runs the config's test loop and metrics; with ``--out`` also writes every
translation as an image file and the metrics as ``results.json`` and
``results.md``.
"""

import argparse
import json
import os
import os.path as osp
import sys
from contextlib import nullcontext

from mmengine.config import DictAction

from cyclegan_plugin.apis import load_config
from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.models.weights import trust_checkpoints
from cyclegan_plugin.registry import RUNNERS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a CycleGAN model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs go')
    parser.add_argument(
        '--data-root',
        help="the data set's folder for every dataloader (instead of the "
        "config's data_root)",
    )
    parser.add_argument(
        '--out', help='folder for translated images and a results table'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        metavar='KEY=VALUE',
        help='override config keys; a key that does not exist is an error',
    )
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher',
    )
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='read a CHECKPOINT that needs unpickling Python objects '
        '(only for files from a source you trust: unpickling can run code)',
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def write_results(out_dir: str, metrics: dict) -> None:
    """Write ``results.json`` and a Markdown table of the metrics."""
    os.makedirs(out_dir, exist_ok=True)
    values = {k: float(v) for k, v in metrics.items()}
    with open(osp.join(out_dir, 'results.json'), 'w') as f:
        json.dump(values, f, indent=2)
    lines = ['| metric | value |', '|---|---|']
    lines += [f'| {k} | {v:.4f} |' for k, v in values.items()]
    with open(osp.join(out_dir, 'results.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'Checkpoint {args.checkpoint!r} does not exist.')
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.data_root)
    cfg.launcher = args.launcher
    cfg.load_from = args.checkpoint
    cfg.setdefault('runner_type', 'RobustRunner')
    if args.out:
        cfg.setdefault('custom_hooks', [])
        cfg.custom_hooks.append(
            dict(type='cyclegan_plugin.SaveTranslationsHook', out_dir=args.out)
        )
    runner = RUNNERS.build(cfg)
    # RobustRunner reads the checkpoint within test().
    trusted = trust_checkpoints() if args.trust_checkpoint else nullcontext()
    with trusted:
        metrics = runner.test()
    if args.out and int(os.environ.get('RANK', '0')) == 0:
        write_results(args.out, metrics or {})
        print(f'Results written to {args.out}')


if __name__ == '__main__':
    sys.exit(run_cli(main))
