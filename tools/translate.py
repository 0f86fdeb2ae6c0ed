"""Translate images with a trained model.

``python tools/translate.py CONFIG CHECKPOINT INPUT --direction AtoB --out DIR``

INPUT is a file, a folder (recursive) or a quoted glob. Images keep their own
size by default (padded to what the generator needs, cropped back); ``--size N``
resizes them to N x N first, as the authors' test script does.
"""

import argparse
import sys

import torch
from mmengine.config import Config

from cyclegan_plugin.apis import enable_winograd, init_model, translate_images
from cyclegan_plugin.apis.cli import run_cli


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Translate images')
    parser.add_argument('config', help='config file the model was trained with')
    parser.add_argument(
        'checkpoint', help='checkpoint (a generator-only file is enough)'
    )
    parser.add_argument('input', nargs='+', help='image file, folder or glob')
    parser.add_argument('--direction', choices=['AtoB', 'BtoA'], default='AtoB')
    parser.add_argument('--out', required=True, help='output folder')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--size', type=int, help='resize inputs to SIZE x SIZE')
    group.add_argument(
        '--keep-size',
        action='store_true',
        help="translate at each image's own size (default)",
    )
    parser.add_argument(
        '--batch-size',
        type=int,
        default=1,
        help='images per forward pass (with --size)',
    )
    parser.add_argument('--ext', default='.png', help='output extension')
    parser.add_argument(
        '--device', default=None, help='cpu or cuda (default: cuda when available)'
    )
    parser.add_argument(
        '--winograd',
        action='store_true',
        help="the generator's 3x3 convs by Winograd F(4x4, 3x3) and its 7x7 head "
        'by direct kernels (faster on CPUs)',
    )
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='allow checkpoints that need unpickling code '
        '(only for files from a source you trust)',
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    cfg = Config.fromfile(args.config)
    if args.winograd:
        enable_winograd(cfg)
    model = init_model(
        cfg, args.checkpoint, device, trust_checkpoint=args.trust_checkpoint
    )
    written = translate_images(
        model,
        args.input if len(args.input) > 1 else args.input[0],
        args.out,
        direction=args.direction,
        size=args.size,
        batch_size=args.batch_size,
        ext=args.ext,
    )
    print(f'Wrote {len(written)} images to {args.out}')


if __name__ == '__main__':
    sys.exit(run_cli(main))
