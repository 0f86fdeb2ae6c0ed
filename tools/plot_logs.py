"""Loss and metric curves from a work dir's MMEngine scalar logs.

Example:
    python tools/plot_logs.py work_dirs/cyclegan_h2z --keys loss_G loss_D FID-AtoB \
        --smooth 50 --out curves.png
    # with the identity translator's scores as dashed lines:
    python tools/baseline_scores.py configs/cyclegan_h2z.py --json identity.json
    python tools/plot_logs.py work_dirs/cyclegan_h2z --keys FID-AtoB KID-AtoB \
        --baseline identity=identity.json
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
    parser.add_argument('work_dir', help='work dir, one run folder, or a .json log')
    parser.add_argument(
        '--keys', nargs='+', default=None, help='keys to plot (default: all)'
    )
    parser.add_argument(
        '--out', default=None, help='image file (default: <work_dir>/curves.png)'
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


def main(argv: Optional[List[str]] = None) -> str:
    args = parse_args(argv)
    baselines = parse_baselines(args.baseline)
    logs = find_scalar_logs(args.work_dir)
    folder = args.work_dir if osp.isdir(args.work_dir) else osp.dirname(args.work_dir)
    out = args.out or osp.join(folder, 'curves.png')
    keys = plot_curves(
        load_scalars(logs),
        out,
        args.keys,
        args.smooth,
        title=osp.basename(osp.abspath(folder)),
        baselines=baselines,
    )
    print(f'Plotted {", ".join(keys)} from {len(logs)} log(s) to {out}')
    return out


if __name__ == '__main__':
    sys.exit(run_cli(main))
