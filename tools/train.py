"""Train a model: ``python tools/train.py CONFIG [options]``.

Multi-GPU (or multi-process CPU): ``bash tools/dist_train.sh CONFIG N``.
"""

import argparse
import os
import sys
from contextlib import nullcontext

from mmengine.config import DictAction

from cyclegan_plugin.apis import enable_amp, enable_winograd, load_config
from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.models.weights import trust_checkpoints
from cyclegan_plugin.registry import RUNNERS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a CycleGAN model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--data-root',
        help="the data set's folder for every dataloader (instead of the "
        "config's data_root)",
    )
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        metavar='CKPT',
        help='resume from CKPT, or from the latest checkpoint in the work '
        'dir when no path is given',
    )
    parser.add_argument(
        '--amp',
        nargs='?',
        const='bfloat16',
        default=None,
        choices=['bfloat16', 'float16'],
        help='mixed precision: bfloat16 (CPU or GPU, default when the flag '
        'has no value) or float16 (GPU, with loss scaling)',
    )
    parser.add_argument(
        '--winograd',
        action='store_true',
        help="compute the generators by the plugin's CPU kernels "
        '(model.cpu_kernels=True: Winograd 3x3 convs, direct 7x7 head, fused '
        'instance norm + ReLU, freed memory kept): faster training on CPUs, '
        'same parameters (GPUs keep cuDNN)',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        metavar='KEY=VALUE',
        help='override config keys, e.g. train_cfg.max_iters=1000; a key '
        'that does not exist is an error',
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
        help='read --resume and load_from checkpoints that need unpickling '
        'Python objects (only for files from a source you trust: unpickling '
        'can run code)',
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.data_root)
    cfg.launcher = args.launcher
    if args.amp:
        enable_amp(cfg, args.amp)
    if args.winograd:
        enable_winograd(cfg)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    cfg.setdefault('runner_type', 'RobustRunner')
    runner = RUNNERS.build(cfg)
    # RobustRunner reads the checkpoint within train().
    trusted = trust_checkpoints() if args.trust_checkpoint else nullcontext()
    with trusted:
        runner.train()


if __name__ == '__main__':
    sys.exit(run_cli(main))
