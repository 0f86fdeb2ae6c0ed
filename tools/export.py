"""Export one generator of a trained model for deployment.

``python tools/export.py CONFIG CHECKPOINT --direction AtoB --format onnx --out g.onnx``

The file computes the translation of float32 ``(N, 3, H, W)`` RGB images in
[-1, 1] (``x / 127.5 - 1``; output the same way) and records that convention,
the direction and the size rule in its metadata. By default the batch size and
the image size are free, H and W multiples of 4 for a ResNet generator
(``--static`` fixes them to ``--example-size``). ``tools/translate.py CONFIG
FILE INPUT --backend onnxruntime`` (or ``exported-program`` for ``.pt2``) runs
it on folders, padding to the rule and cropping back as with a checkpoint.
"""

import argparse
import sys
from typing import List, Optional

from cyclegan_plugin.apis import init_model, load_config
from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.deploy import EXPORT_FORMATS, export_generator
from cyclegan_plugin.fileio.output_checks import check_new_outputs
from cyclegan_plugin.structures import DIRECTIONS


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint (a generator-only file works)')
    parser.add_argument('--direction', choices=DIRECTIONS, default='AtoB')
    parser.add_argument('--format', choices=EXPORT_FORMATS, default='onnx')
    parser.add_argument('--out', required=True, help='file to write')
    parser.add_argument(
        '--static',
        action='store_true',
        help='fixed batch 2 and --example-size images instead of free sizes',
    )
    parser.add_argument('--opset', type=int, default=18, help='ONNX opset (>= 18)')
    parser.add_argument(
        '--example-size', type=int, default=64, help='side of the traced examples'
    )
    parser.add_argument(
        '--fp16',
        action='store_true',
        help='ONNX in float16 (float32 in and out), written only if ONNX Runtime '
        'stays within one 8-bit level of float32',
    )
    parser.add_argument(
        '--overwrite', action='store_true', help='replace --out if it exists'
    )
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='allow checkpoints that need unpickling code '
        '(only for files from a source you trust)',
    )
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> str:
    args = parse_args(argv)
    # Checked before the model loads: never the checkpoint, nothing replaced
    # unless asked.
    check_new_outputs([args.out], [args.checkpoint, args.config], args.overwrite)
    model = init_model(
        load_config(args.config),
        args.checkpoint,
        'cpu',
        trust_checkpoint=args.trust_checkpoint,
    )
    generator = getattr(model.generators, args.direction[0])
    out = export_generator(
        generator,
        args.out,
        args.direction,
        args.format,
        dynamic=not args.static,
        opset=args.opset,
        example_size=args.example_size,
        fp16=args.fp16,
    )
    print(f'Exported the {args.direction} generator to {out}')
    return out


if __name__ == '__main__':
    sys.exit(run_cli(main))
