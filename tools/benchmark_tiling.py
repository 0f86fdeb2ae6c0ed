"""Tiled translation against whole-image translation: PSNR, time, peak memory.

``python tools/benchmark_tiling.py CONFIG --checkpoint CKPT --photos DIR [DIR ...]``

Each test image is a mosaic of real photos (``--photos``, resized to fill the
grid), so every pixel carries a photo's own detail. For each image the whole
image is translated once (the reference), then with ``--tile``/``--overlap``
in each ``--stat-passes`` mode (``exact``: whole-image norm statistics, one
truncated pass per norm; a number: that many approximate passes; ``0``: each
tile's own statistics, naive tiling); the PSNR is of the uint8 outputs that
would be saved. With ``--big WxH`` one more mosaic of that size is translated
in a fresh process per mode, whose peak resident memory is reported
(``--big-whole`` also translates it whole, for the PSNR and the memory
without tiles). One JSON line per measurement; ``--markdown`` adds a table.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import cv2
import numpy as np
import torch
from analysis.benchmark_measures import _status_mb

from cyclegan_plugin.apis import init_model, load_config, translate_array
from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.datasets.image_files import list_images
from cyclegan_plugin.datasets.transforms.image_io import imread_rgb
from cyclegan_plugin.deploy import TiledGenerator


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark tiled translation')
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='weights (default: seeded initial)')
    parser.add_argument('--photos', nargs='+', required=True, help='photo folders')
    parser.add_argument('--size', type=int, default=1024, help='mosaic side')
    parser.add_argument('--grid', type=int, default=4, help='photos per side')
    parser.add_argument('--count', type=int, default=3, help='mosaics at --size')
    parser.add_argument('--tile', type=int, default=512)
    parser.add_argument('--overlap', type=int, default=128)
    parser.add_argument('--stat-passes', nargs='+', default=['exact', '0', '1'])
    parser.add_argument('--big', help='also a WxH mosaic, e.g. 4096x3072')
    parser.add_argument('--big-whole', action='store_true')
    parser.add_argument('--direction', default='AtoB')
    parser.add_argument('--markdown', action='store_true')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def mosaic(photos: List[str], width: int, height: int, grid: int, first: int):
    """A ``height x width`` RGB mosaic of ``grid`` photos per row."""
    cell = width // grid
    rows = -(-height // cell)
    out = np.zeros((rows * cell, grid * cell, 3), np.uint8)
    for i in range(rows * grid):
        photo = imread_rgb(photos[(first + i) % len(photos)])
        r, c = divmod(i, grid)
        out[r * cell : (r + 1) * cell, c * cell : (c + 1) * cell] = cv2.resize(
            photo, (cell, cell), interpolation=cv2.INTER_CUBIC
        )
    return np.ascontiguousarray(out[:height, :width])


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b) ** 2)
    return float('inf') if mse == 0 else float(10 * np.log10(255**2 / mse))


def _model(args):
    torch.manual_seed(0)
    model = init_model(load_config(args.config), args.checkpoint, 'cpu')
    if args.checkpoint is None:
        model.init_weights()
    return model.eval()


def _translate(model, image, direction, tile, overlap, passes):
    if passes is None:  # the whole image in one piece
        return translate_array(model, image, direction)
    generator = getattr(model.generators, direction[0])
    tiled = TiledGenerator(
        generator, tile, overlap, None if passes == 'exact' else int(passes)
    )
    x = model.data_preprocessor.normalize(
        torch.from_numpy(image).permute(2, 0, 1)[None]
    )
    with torch.no_grad():
        y = tiled(x)
    return model.data_preprocessor.destruct(y)[0].permute(1, 2, 0).numpy()


def child(args) -> None:
    """Translate the big mosaic once in this fresh process; print peak memory."""
    spec = json.loads(args.child)
    model = _model(args)
    photos = _photos(args.photos)
    width, height = spec['size']
    image = mosaic(photos, width, height, spec['grid'], 0)
    base = _status_mb('VmRSS')
    start = time.perf_counter()
    out = _translate(
        model, image, args.direction, args.tile, args.overlap, spec['passes']
    )
    seconds = time.perf_counter() - start
    np.save(spec['out'], out)
    print(json.dumps(dict(seconds=seconds, peak_mem_mb=_status_mb('VmHWM'),
                          base_mem_mb=base)))  # fmt: skip


def _photos(folders: List[str]) -> List[str]:
    photos = [p for folder in folders for p in list_images(folder)]
    if not photos:
        raise ValueError(f'no images in {folders}; give folders of photos')
    return sorted(photos)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if args.child:
        return child(args)
    photos = _photos(args.photos)
    model = _model(args)
    rows = []
    modes = [None if m == 'whole' else m for m in args.stat_passes]
    for index in range(args.count):
        image = mosaic(photos, args.size, args.size, args.grid, index * args.grid**2)
        start = time.perf_counter()
        whole = _translate(model, image, args.direction, 0, 0, None)
        whole_s = time.perf_counter() - start
        for passes in modes:
            start = time.perf_counter()
            out = _translate(
                model, image, args.direction, args.tile, args.overlap, passes
            )
            row = dict(
                size=f'{args.size}x{args.size}', image=index, stat_passes=passes,
                tile=args.tile, overlap=args.overlap, psnr_db=psnr(out, whole),
                max_abs_diff=int(np.abs(out.astype(int) - whole).max()),
                seconds=time.perf_counter() - start, whole_seconds=whole_s,
            )  # fmt: skip
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.big:
        rows += _big(args, modes)
    if args.markdown:
        print('\n| image | stat passes | tile / overlap | PSNR dB | max diff | s | '
              'peak MB |\n|---|---|---|---:|---:|---:|---:|')  # fmt: skip
        for r in rows:
            print(
                f'| {r["size"]} #{r["image"]} | {r["stat_passes"] or "whole"} | '
                f'{r["tile"]} / {r["overlap"]} | {r.get("psnr_db", float("nan")):.1f} '
                f'| {r.get("max_abs_diff", "")} | {r["seconds"]:.1f} | '
                f'{r.get("peak_mem_mb", "")} |'
            )


def _big(args, modes) -> List[dict]:
    width, height = (int(v) for v in args.big.lower().split('x'))
    import tempfile

    rows, outputs = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for passes in ([None] if args.big_whole else []) + modes:
            out = str(Path(tmp) / f'{passes}.npy')
            spec = dict(size=[width, height], grid=args.grid * width // args.size,
                        passes=passes, out=out)  # fmt: skip
            command = [sys.executable, __file__, args.config, '--photos',
                       *args.photos, '--tile', str(args.tile), '--overlap',
                       str(args.overlap), '--direction', args.direction,
                       '--child', json.dumps(spec)]  # fmt: skip
            if args.checkpoint:
                command += ['--checkpoint', args.checkpoint]
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            outputs[passes] = np.load(out)
            row = dict(size=f'{width}x{height}', image=0, stat_passes=passes,
                       tile=args.tile if passes else None, overlap=args.overlap,
                       **measured)  # fmt: skip
            if None in outputs and passes is not None:
                row['psnr_db'] = psnr(outputs[passes], outputs[None])
                row['max_abs_diff'] = int(
                    np.abs(outputs[passes].astype(int) - outputs[None]).max()
                )
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


if __name__ == '__main__':
    sys.exit(run_cli(main))
