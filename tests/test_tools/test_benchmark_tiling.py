"""tools/benchmark_tiling.py: PSNR of tiled vs whole translation, big-image memory."""

import json

import cv2
import numpy as np

from .tool_helpers import run_tool, write_tiny_config


def test_psnr_rows_and_big_image_memory(tmp_path):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    photos = tmp_path / 'photos'
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(5):
        smooth = cv2.GaussianBlur(
            rng.integers(0, 256, (40, 40, 3), np.uint8), (0, 0), 3
        )
        cv2.imwrite(str(photos / f'{i}.png'), smooth)
    proc = run_tool(
        'tools/benchmark_tiling.py', cfg, '--photos', photos, '--size', '128',
        '--grid', '2', '--count', '1', '--tile', '96', '--overlap', '32',
        '--stat-passes', 'exact', '0', '--big', '192x128', '--big-whole',
        '--markdown',
    )  # fmt: skip
    rows = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith('{')]
    small = [r for r in rows if r['size'] == '128x128']
    big = [r for r in rows if r['size'] == '192x128']
    assert [r['stat_passes'] for r in small] == ['exact', '0']
    assert [r['stat_passes'] for r in big] == [None, 'exact', '0']
    # Whole-image statistics bring the tiles closer to the whole image.
    assert small[0]['psnr_db'] > small[1]['psnr_db']
    assert big[1]['psnr_db'] > big[2]['psnr_db']
    assert all(r['peak_mem_mb'] > r['base_mem_mb'] > 0 for r in big)
    assert '| 192x128 #0 | exact | 96 / 32 |' in proc.stdout
