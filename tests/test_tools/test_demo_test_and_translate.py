"""The demo config through train.py, test.py --out and translate.py's errors."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from .tool_helpers import REPO, run_tool

DEMO = REPO / 'configs' / 'cyclegan_demo.py'


@pytest.fixture(scope='module')
def demo_run(tmp_path_factory):
    """Two iterations of the demo, with its hooks and a validation."""
    work = tmp_path_factory.mktemp('demo')
    run_tool(
        'tools/train.py',
        DEMO,
        '--work-dir',
        work,
        '--cfg-options',
        'train_cfg.max_iters=2',
        'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2',
        'custom_hooks.0.interval=2',
        'val_dataloader.dataset.num_samples=8',
    )
    return work


@pytest.fixture(scope='module')
def demo_ckpt(demo_run):
    return demo_run / 'iter_2.pth'


@pytest.mark.slow
def test_demo_writes_grids_page_and_translations(demo_run):
    assert len(list((demo_run / 'translations' / 'fake_B').glob('*.png'))) == 8
    assert len(list((demo_run / 'translations' / 'fake_A').glob('*.png'))) == 8
    assert sorted(p.name for p in (demo_run / 'vis_images').glob('*.png')) == [
        'iter_00000002_A.png',
        'iter_00000002_B.png',
    ]
    assert 'iter_00000002_A.png' in (demo_run / 'index.html').read_text()


@pytest.mark.slow
def test_test_tool_writes_images_and_results(demo_ckpt, tmp_path):
    out = tmp_path / 'results'
    run_tool(
        'tools/test.py',
        DEMO,
        demo_ckpt,
        '--out',
        out,
        '--work-dir',
        tmp_path / 'w',
        '--cfg-options',
        'test_dataloader.dataset.num_samples=8',
    )
    results = json.loads((out / 'results.json').read_text())
    assert {'PSNR-AtoB', 'SSIM-BtoA', 'L1-AtoB'} <= set(results)
    assert all(np.isfinite(v) for v in results.values())
    assert '| PSNR-AtoB |' in (out / 'results.md').read_text()
    fakes = sorted((out / 'fake_B').glob('*.png'))
    assert len(fakes) == 8 and len(list((out / 'fake_A').glob('*.png'))) == 8
    assert cv2.imread(str(fakes[0])).shape == (64, 64, 3)


@pytest.mark.slow
def test_translate_tool_errors(demo_ckpt, tmp_path):
    proc = run_tool(
        'tools/translate.py',
        DEMO,
        demo_ckpt,
        str(tmp_path / 'none' / '*.jpg'),
        '--out',
        tmp_path / 'o',
        check=False,
    )
    assert proc.returncode == 2
    assert 'matches' in proc.stderr and 'none' in proc.stderr

    # A file that needs unpickling code is refused unless trusted.
    img = tmp_path / 'in.png'
    cv2.imwrite(str(img), np.full((20, 30, 3), 128, np.uint8))
    state = torch.load(demo_ckpt, weights_only=True)['state_dict']
    pickled = tmp_path / 'pickled.pth'
    torch.save({'state_dict': state, 'made_by': Path('somewhere')}, pickled)
    proc = run_tool(
        'tools/translate.py', DEMO, pickled, img, '--out', tmp_path / 'o', check=False
    )
    assert proc.returncode == 2 and '--trust-checkpoint' in proc.stderr
    run_tool(
        'tools/translate.py',
        DEMO,
        pickled,
        img,
        '--out',
        tmp_path / 'o',
        '--trust-checkpoint',
    )
    # Odd sizes are padded for the network and cropped back.
    assert cv2.imread(str(tmp_path / 'o' / 'in.png')).shape == (20, 30, 3)


def test_translate_api_generator_only_checkpoint(demo_ckpt, tmp_path):
    from cyclegan_plugin.apis import init_model, translate_array

    state = torch.load(demo_ckpt, weights_only=True)['state_dict']
    gen_only = tmp_path / 'g.pth'
    torch.save(
        {k: v for k, v in state.items() if k.startswith('generators.')}, gen_only
    )
    model = init_model(str(DEMO), str(gen_only))
    out = translate_array(model, np.zeros((37, 41, 3), np.uint8), 'BtoA')
    assert out.shape == (37, 41, 3) and out.dtype == np.uint8
    with pytest.raises(RuntimeError, match='missing keys'):
        torch.save(
            {k: v for k, v in state.items() if k.startswith('generators.A')}, gen_only
        )
        init_model(str(DEMO), str(gen_only))
