"""Time CycleGAN training and inference: one JSON line per variant and mode.

``python tools/benchmark.py CONFIG [CONFIG ...] [--size S] [--batch-size N] [--iters N]
[--warmup N] [--repeats R] [--amp none|bf16|fp16] [--channels-last]
[--compile] [--winograd] [--thin-head] [--fused-norm]
[--device cpu|cuda] [--baseline]
[--keep-freed-memory] [--profile N] [--variants SPEC ...]``

``--baseline`` adds the authors' step in plain PyTorch, timed interleaved with
ours; ``--variants`` lists several settings at once, e.g.
``--variants plain fp32 bf16 bf16+channels_last bf16+compile``; several
configs (e.g. ``configs/cyclegan_h2z.py configs/cut_h2z.py
configs/fastcut_h2z.py``) are timed in the same interleaved rounds, each
against the first.
See docs/benchmarks.md for the figures and the commands that produced them.
"""

import argparse
import json
import os
import sys

import torch
from analysis.benchmark import profile_table, results_table, run_benchmark
from analysis.benchmark_variant import BenchmarkVariant
from mmengine.logging import MMLogger

from cyclegan_plugin.apis import load_config
from cyclegan_plugin.apis.cli import run_cli


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark a CycleGAN config')
    parser.add_argument(
        'config',
        nargs='+',
        help='training configs: several are timed interleaved, each vs the first',
    )
    parser.add_argument('--size', type=int, default=128, help='image size')
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--iters', type=int, default=3, help='per round')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5, help='timed rounds')
    parser.add_argument('--amp', choices=['none', 'bf16', 'fp16'], default='none')
    parser.add_argument('--channels-last', action='store_true')
    parser.add_argument('--compile', action='store_true')
    parser.add_argument(
        '--winograd', action='store_true', help="generators' 3x3 convs by Winograd"
    )
    parser.add_argument(
        '--thin-head',
        action='store_true',
        help="generators' 7x7 head conv by the direct kernels",
    )
    parser.add_argument(
        '--fused-norm',
        action='store_true',
        help="generators' instance norm + ReLU as one CPU kernel",
    )
    parser.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    parser.add_argument(
        '--baseline', action='store_true', help='also time the plain PyTorch step'
    )
    parser.add_argument(
        '--variants',
        nargs='+',
        metavar='SPEC',
        help="instead of the flags above: specs such as 'plain', "
        "'bf16+channels_last', 'plain+bf16'",
    )
    parser.add_argument('--mode', choices=['train', 'infer', 'both'], default='train')
    parser.add_argument(
        '--threads', type=int, help='torch.set_num_threads (default: unchanged)'
    )
    parser.add_argument(
        '--markdown', action='store_true', help='also print Markdown tables'
    )
    parser.add_argument(
        '--keep-freed-memory',
        action='store_true',
        help='keep freed CPU memory for reuse (as model.cpu_kernels does), '
        'for every variant of the run',
    )
    parser.add_argument(
        '--profile',
        type=int,
        default=0,
        metavar='N',
        help='also profile one iteration per variant and show its top N operators',
    )
    parser.add_argument(
        '--no-memory',
        action='store_true',
        help='skip the peak-memory measurement (a process per variant on CPUs)',
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    # Weight-initialisation reports would drown the results.
    MMLogger.get_instance('benchmark', log_level='WARNING')
    if args.device == 'cuda':
        torch.backends.cudnn.benchmark = True
    if args.variants:
        variants = [BenchmarkVariant.parse(s) for s in args.variants]
    else:
        variants = [
            BenchmarkVariant(
                amp=args.amp,
                channels_last=args.channels_last,
                compile=args.compile,
                winograd=args.winograd,
                thin_head=args.thin_head,
                fused_norm=args.fused_norm,
            )
        ]
        if args.baseline:
            variants.insert(0, BenchmarkVariant('plain'))
    if len(args.config) == 1:
        cfg = load_config(args.config[0])
    else:
        names = [os.path.splitext(os.path.basename(c))[0] for c in args.config]
        if len(set(names)) < len(names):
            raise ValueError(
                f'Configs {args.config} share a file name; benchmark them in '
                'separate runs or rename one.'
            )
        cfg = {name: load_config(c) for name, c in zip(names, args.config)}
    modes = ['train', 'infer'] if args.mode == 'both' else [args.mode]
    for mode in modes:
        results = run_benchmark(
            cfg,
            variants,
            mode=mode,
            size=args.size,
            batch_size=args.batch_size,
            iters=args.iters,
            warmup=args.warmup,
            repeats=args.repeats,
            device=args.device,
            measure_memory=not args.no_memory,
            keep_freed_memory=args.keep_freed_memory,
            profile_rows=args.profile,
        )
        for result in results:
            print(json.dumps(result), flush=True)
        if args.markdown:
            print(f'\n{mode}, {args.size}x{args.size}, batch {args.batch_size}:')
            print(results_table(results), flush=True)
            for result in results if args.profile else []:
                print('\n' + profile_table(result), flush=True)


if __name__ == '__main__':
    sys.exit(run_cli(main))
