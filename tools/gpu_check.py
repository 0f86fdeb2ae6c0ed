"""Check a GPU machine end to end and write one JSON report.

``python tools/gpu_check.py [--out gpu_check.json] [--device cuda|cpu]
[--quick] [--budget-minutes M]``: the environment, the CUDA-only tests,
``tools/benchmark.py`` variants at 256x256 (batch 1 and 4), 300 bf16
iterations of the demo, the memory activation checkpointing saves at 512x512
and DDP through ``tools/dist_train.sh`` on every GPU, in under 8 minutes.
``--device cpu --quick`` is the dry run CI runs.

``python tools/gpu_check.py --quality MINUTES --data-root DIR``: the paper's
horse2zebra recipe trained for MINUTES, then FID/KID of both directions
against the identity, and grids of test translations.

Every part runs in subprocesses with its own time limit: one that fails is
recorded as failed and the others still run. Exit code 0 when no part
failed, 1 when one did (the report says which), 2 for a bad option.
See docs/benchmarks.md ("GPU check") for the report's layout.
"""

import argparse
import sys
from pathlib import Path

from analysis.gpu_check import GpuCheckOptions, run_gpu_check

from cyclegan_plugin.apis.cli import run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Check a GPU machine end to end')
    parser.add_argument(
        '--out',
        type=Path,
        help='the JSON report (default: gpu_check.json, with --quality '
        'gpu_quality.json); an existing file is refused without --overwrite',
    )
    parser.add_argument('--overwrite', action='store_true')
    parser.add_argument('--device', choices=['cuda', 'cpu'], default='cuda')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='tiny sizes and iteration counts: the dry run (with --device cpu)',
    )
    parser.add_argument(
        '--budget-minutes',
        type=float,
        help='time for all parts together (default 7.5; with --quality MINUTES + 15)',
    )
    parser.add_argument(
        '--quality',
        type=float,
        metavar='MINUTES',
        help='instead: train the horse2zebra recipe for MINUTES, then score it',
    )
    parser.add_argument(
        '--data-root', type=Path, help='--quality: trainA, trainB, testA, testB'
    )
    parser.add_argument(
        '--quality-amp',
        choices=['bf16', 'fp32'],
        default='bf16',
        help='--quality: precision of the training (default bf16)',
    )
    parser.add_argument(
        '--work-dir',
        type=Path,
        help='keep configs, logs and checkpoints here (default: a temporary '
        'folder, removed at the end)',
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    default = 'gpu_check.json' if args.quality is None else 'gpu_quality.json'
    options = GpuCheckOptions(
        out=args.out or Path(default),
        device=args.device,
        quick=args.quick,
        overwrite=args.overwrite,
        work_dir=args.work_dir,
        budget_minutes=args.budget_minutes,
        quality_minutes=args.quality,
        data_root=args.data_root,
        quality_amp=args.quality_amp,
        argv=['tools/gpu_check.py', *(sys.argv[1:] if argv is None else argv)],
    )
    report = run_gpu_check(options, log=lambda line: print(line, flush=True))
    print(f'{report["status"]}: report written to {options.out}', flush=True)
    return 0 if report['status'] == 'ok' else 1


if __name__ == '__main__':
    sys.exit(run_cli(main))
