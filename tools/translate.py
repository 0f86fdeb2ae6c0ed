"""Translate images with a trained model.

``python tools/translate.py CONFIG CHECKPOINT INPUT --direction AtoB --out DIR``

INPUT is a file, a folder (recursive) or a quoted glob. Images keep their own
size by default (padded to what the generator needs, cropped back); ``--size N``
resizes them to N x N first, as the authors' test script does.

Outputs keep the inputs' paths below the input folder (or a glob's first
wildcard). Before anything is written, the run is refused if ``--out`` is, or
is inside, an input folder, if an output would replace an input file or
another input's output (``x.jpg`` and ``x.png`` both give ``x.png``), or if
outputs exist already (``--overwrite`` replaces them). An image that cannot be
translated (corrupt, too small, too large for the memory) is reported and
skipped; the run ends with ``error: N translated, M failed: ...`` (exit 2).

Speed (``--backend pytorch``): ``--winograd`` (the plugin's CPU kernels, fp32),
``--bf16`` (bfloat16 autocast: outputs within a few levels of fp32) and
``--compile`` (``torch.compile``; it compiles again for each new image size, so
it pays off with ``--size``); docs/benchmarks.md compares them.
"""

import argparse
import sys
from typing import Callable, List, Optional

import torch

from cyclegan_plugin.apis import (
    PartialTranslationError,
    enable_compile,
    enable_winograd,
    init_model,
    load_config,
    translate_images,
)
from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.apis.translation_inputs import (
    check_batch_size,
    check_ext,
    check_size,
)
from cyclegan_plugin.deploy import BACKENDS, ExportedModel
from cyclegan_plugin.structures import DIRECTIONS


def _checked(check: Callable, convert: Callable = str) -> Callable[[str], object]:
    """An argparse ``type`` that converts the text and runs the API's check."""

    def parse(text: str) -> object:
        try:
            return check(convert(text))
        except ValueError as err:
            # The API's message names its keyword; argparse names the option.
            raise argparse.ArgumentTypeError(str(err)) from err

    return parse


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f'{text!r} is not a whole number') from None


def _positive(value: int) -> int:
    if value < 1:
        raise ValueError(f'must be a positive number of pixels, got {value}')
    return value


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Translate images')
    parser.add_argument('config', help='config file the model was trained with')
    parser.add_argument(
        'checkpoint',
        help='checkpoint (a generator-only file is enough), or with --backend '
        'a file from tools/export.py',
    )
    parser.add_argument('input', nargs='+', help='image file, folder or glob')
    parser.add_argument('--direction', choices=DIRECTIONS, default='AtoB')
    parser.add_argument(
        '--out',
        required=True,
        help='output folder (not an input folder, nor inside one)',
    )
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace output files that already exist (never an input)',
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        '--size',
        type=_checked(check_size, _whole_number),
        help='resize inputs to SIZE x SIZE (a positive number of pixels)',
    )
    group.add_argument(
        '--keep-size',
        action='store_true',
        help="translate at each image's own size (default)",
    )
    parser.add_argument(
        '--batch-size',
        type=_checked(check_batch_size, _whole_number),
        default=1,
        help='images per forward pass (with --size)',
    )
    parser.add_argument(
        '--ext',
        type=_checked(check_ext),
        default='.png',
        help='output extension, with its dot (default: .png)',
    )
    parser.add_argument(
        '--tile',
        type=_checked(_positive, _whole_number),
        default=None,
        metavar='SIZE',
        help='translate each image in tiles of at most SIZE x SIZE pixels, with the '
        "norms' statistics of the whole image (for images too large for the memory; "
        'SIZE a multiple of 4 for a ResNet generator)',
    )
    parser.add_argument(
        '--tile-overlap',
        type=_whole_number,
        default=128,
        metavar='PX',
        help='context around each tile, cross-faded with the neighbours (default: 128)',
    )
    parser.add_argument(
        '--device', default=None, help='cpu or cuda (default: cuda when available)'
    )
    parser.add_argument(
        '--winograd',
        action='store_true',
        help="compute the generator by the plugin's CPU kernels "
        '(model.cpu_kernels=True; faster on CPUs)',
    )
    parser.add_argument(
        '--bf16',
        action='store_true',
        help='run the generator in bfloat16 autocast (faster on CPUs with '
        'AMX or AVX-512 BF16 and on GPUs; outputs within a few levels of fp32)',
    )
    parser.add_argument(
        '--compile',
        action='store_true',
        help='torch.compile the generator (compiles for each new image size: '
        'use it with --size)',
    )
    parser.add_argument(
        '--backend',
        choices=('pytorch',) + BACKENDS,
        default='pytorch',
        help='pytorch: CHECKPOINT is a checkpoint; onnxruntime / exported-program: '
        'CHECKPOINT is an .onnx / .pt2 file from tools/export.py',
    )
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='allow checkpoints that need unpickling code '
        '(only for files from a source you trust)',
    )
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.backend != 'pytorch':
        for flag in ('winograd', 'bf16', 'compile'):
            if getattr(args, flag):
                raise ValueError(f'--{flag} applies to --backend pytorch only')
        model = ExportedModel(args.checkpoint, args.backend)
        if model.direction != args.direction:
            raise ValueError(
                f'{args.checkpoint} translates {model.direction} only; pass '
                f'--direction {model.direction}, or export the {args.direction} '
                f'generator (tools/export.py --direction {args.direction})'
            )
    else:
        cfg = load_config(args.config)
        if args.winograd:
            enable_winograd(cfg)
        if args.compile:
            enable_compile(cfg)
        model = init_model(
            cfg, args.checkpoint, device, trust_checkpoint=args.trust_checkpoint
        )
    autocast = torch.autocast(
        torch.device(device).type, dtype=torch.bfloat16, enabled=args.bf16
    )
    try:
        with autocast:
            written = translate_images(
                model,
                args.input if len(args.input) > 1 else args.input[0],
                args.out,
                direction=args.direction,
                size=args.size,
                batch_size=args.batch_size,
                ext=args.ext,
                overwrite=args.overwrite,
                tile_size=args.tile,
                tile_overlap=args.tile_overlap,
            )
    except PartialTranslationError as err:
        print(f'Wrote {len(err.written)} images to {args.out}')
        raise
    print(f'Wrote {len(written)} images to {args.out}')


if __name__ == '__main__':
    sys.exit(run_cli(main))
