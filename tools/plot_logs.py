"""Loss and metric curves from a work dir's MMEngine scalar logs.

Example:
    python tools/plot_logs.py work_dirs/cyclegan_h2z --keys loss_G loss_D FID-AtoB \
        --smooth 50 --out curves.png
    # with the identity translator's scores as dashed lines:
    python tools/baseline_scores.py configs/cyclegan_h2z.py --json identity.json
    python tools/plot_logs.py work_dirs/cyclegan_h2z --keys FID-AtoB KID-AtoB \
        --baseline identity=identity.json
    # two runs on the same subplots:
    python tools/plot_logs.py work_dirs/cyclegan work_dirs/fastcut \
        --labels CycleGAN FastCUT --keys FID-AtoB KID-AtoB
"""

import argparse
import os.path as osp
import sys
from typing import List, Optional

from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.visualization import (
    find_scalar_logs,
    load_baseline,
    load_scalars,
    plot_curves,
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Plot curves from <work_dir>/<timestamp>/vis_data/scalars.json'
    )
    parser.add_argument(
        'work_dirs',
        nargs='+',
        metavar='work_dir',
        help='work dir, one run folder, or a .json log; several are drawn together',
    )
    parser.add_argument(
        '--labels',
        nargs='+',
        default=None,
        help="one legend label per work dir (default: the folders' names)",
    )
    parser.add_argument(
        '--keys', nargs='+', default=None, help='keys to plot (default: all)'
    )
    parser.add_argument(
        '--out',
        default=None,
        help='image file (default: curves.png in the first work_dir)',
    )
    parser.add_argument('--smooth', type=int, default=1, help='moving-average window')
    parser.add_argument(
        '--baseline',
        nargs='+',
        default=[],
        metavar='LABEL=JSON',
        help='draw the scores in JSON (tools/baseline_scores.py --json, or a '
        'tools/test.py results.json) as dashed lines labelled LABEL',
    )
    return parser.parse_args(argv)


def parse_baselines(specs: List[str]) -> dict:
    """``{label: scores}`` from ``LABEL=FILE`` arguments."""
    baselines = {}
    for spec in specs:
        label, sep, path = spec.partition('=')
        if not sep or not label or not path:
            raise ValueError(
                f'--baseline {spec!r}: expected LABEL=FILE, e.g. identity=identity.json'
            )
        baselines[label] = load_baseline(path)
    return baselines


def run_labels(work_dirs: List[str], labels: Optional[List[str]]) -> List[str]:
    """One distinct legend label per work dir: ``labels`` or the folder names."""
    if labels is not None and len(labels) != len(work_dirs):
        raise ValueError(
            f'--labels: {len(labels)} label(s) for {len(work_dirs)} work dir(s); '
            'give one per work dir'
        )
    labels = labels or [osp.basename(osp.abspath(folder(d))) for d in work_dirs]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(
            f'runs labelled {repeated} more than once: give distinct --labels'
        )
    return labels


def folder(work_dir: str) -> str:
    """The folder of a work dir argument (a .json log's own folder)."""
    return work_dir if osp.isdir(work_dir) else osp.dirname(work_dir)


def main(argv: Optional[List[str]] = None) -> str:
    args = parse_args(argv)
    baselines = parse_baselines(args.baseline)
    labels = run_labels(args.work_dirs, args.labels)
    logs = {label: find_scalar_logs(d) for label, d in zip(labels, args.work_dirs)}
    out = args.out or osp.join(folder(args.work_dirs[0]), 'curves.png')
    keys = plot_curves(
        {label: load_scalars(paths) for label, paths in logs.items()},
        out,
        args.keys,
        args.smooth,
        title=labels[0] if len(labels) == 1 else '',
        baselines=baselines,
    )
    count = sum(len(paths) for paths in logs.values())
    print(f'Plotted {", ".join(keys)} from {count} log(s) to {out}')
    return out


if __name__ == '__main__':
    sys.exit(run_cli(main))
