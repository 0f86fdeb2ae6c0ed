"""Download a CycleGAN data set: ``tools/download_dataset.py NAME [--root data]``.

Fetches ``http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/NAME.zip`` and
unzips it to ``ROOT/NAME/{trainA,trainB,testA,testB}``. Without internet access
it fails quickly and says how to install the data by hand.
"""

import argparse
import sys

from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.datasets.download import (
    DATASET_LAYOUTS,
    download_dataset,
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('name', choices=list(DATASET_LAYOUTS), help='data set name')
    parser.add_argument('--root', default='data', help='parent folder (default: data)')
    parser.add_argument(
        '--timeout', type=float, default=10.0, help='server timeout in seconds'
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    dest = download_dataset(args.name, args.root, timeout=args.timeout)
    print(f'Data set ready in {dest}')
    return 0


if __name__ == '__main__':
    sys.exit(run_cli(main))
