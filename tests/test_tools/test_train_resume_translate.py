"""End to end through the real tools: train, checkpoint, resume, translate."""

import os
import signal
import subprocess
import sys
import time

import cv2
import pytest
import torch

from .tool_helpers import (
    REPO,
    TINY_SIZE,
    TINY_TEST,
    run_tool,
    tiny_data_root,
    write_tiny_config,
)

pytestmark = pytest.mark.slow


def weights(path):
    return load(path)['state_dict']


def load(path):
    # Weights-only: our checkpoints hold tensors and plain types alone.
    return torch.load(path, map_location='cpu', weights_only=True)


def test_train_resume_and_translate(tmp_path):
    cfg = write_tiny_config(tmp_path / 'tiny.py', max_iters=4, ckpt_interval=2)
    work = tmp_path / 'work'
    run_tool('tools/train.py', cfg, '--work-dir', work)
    assert (work / 'iter_4.pth').is_file()
    assert (work / 'last_checkpoint').read_text().strip().endswith('iter_4.pth')
    assert not list(work.glob('.*tmp*'))  # no temporary checkpoint left

    # Resume from the latest checkpoint and train two more iterations.
    proc = run_tool(
        'tools/train.py',
        cfg,
        '--work-dir',
        work,
        '--resume',
        '--cfg-options',
        'train_cfg.max_iters=6',
    )
    assert 'Advance dataloader 4 steps' in proc.stdout + proc.stderr
    ckpt = load(work / 'iter_6.pth')
    assert ckpt['meta']['iter'] == 6
    assert 'rng_states' in ckpt
    assert (
        len(ckpt['state_dict']['image_buffers.fake_A._extra_state']['images']) == 6
    )  # the buffer kept its history across resume

    # Translate test images at their own size and resized.
    out = tmp_path / 'out'
    inputs = sorted((tiny_data_root() / 'testA').glob('*.png'))[:2]
    run_tool(
        'tools/translate.py',
        cfg,
        work / 'iter_6.pth',
        *inputs,
        '--direction',
        'AtoB',
        '--out',
        out,
    )
    for src in inputs:
        img = cv2.imread(str(out / (src.stem + '.png')))
        assert img is not None and img.shape == (TINY_SIZE, TINY_SIZE, 3)
    run_tool(
        'tools/translate.py',
        cfg,
        work / 'iter_6.pth',
        str(tiny_data_root() / 'testB' / '*.png'),
        '--direction',
        'BtoA',
        '--size',
        '32',
        '--batch-size',
        '4',
        '--out',
        tmp_path / 'out_b',
    )
    assert len(list((tmp_path / 'out_b').glob('*.png'))) == TINY_TEST


def test_resume_after_sigkill_gives_the_same_weights(tmp_path):
    """Kill a run right after a checkpoint, resume, compare with no kill."""
    straight = write_tiny_config(tmp_path / 'a.py', max_iters=8, ckpt_interval=4)
    run_tool('tools/train.py', straight, '--work-dir', tmp_path / 'a')

    work = tmp_path / 'b'
    cfg = write_tiny_config(tmp_path / 'b.py', max_iters=8, ckpt_interval=4)
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS='1')
    proc = subprocess.Popen(
        [sys.executable, 'tools/train.py', str(cfg), '--work-dir', str(work)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    while not (work / 'last_checkpoint').is_file() and time.time() < deadline:
        assert proc.poll() is None, 'training ended before it could be killed'
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (work / 'iter_8.pth').exists(), 'killed too late to test resume'
    run_tool('tools/train.py', cfg, '--work-dir', work, '--resume')

    a, b = weights(tmp_path / 'a' / 'iter_8.pth'), weights(work / 'iter_8.pth')
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key]), key
    buf_a = a['image_buffers.fake_B._extra_state']['images']
    assert torch.equal(buf_a, b['image_buffers.fake_B._extra_state']['images'])


def test_config_typo_is_named(tmp_path):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    proc = run_tool(
        'tools/train.py', cfg, '--cfg-options', 'train_cfg.max_iter=3', check=False
    )
    assert proc.returncode == 2
    assert "no key 'max_iter'" in proc.stderr and 'max_iters' in proc.stderr


def test_missing_data_root_points_to_demo(tmp_path):
    cfg = write_tiny_config(
        tmp_path / 'tiny.py', data_root=repr(str(tmp_path / 'nowhere'))
    )
    cfg.write_text(
        cfg.read_text().replace(
            'dataset=dict(data_root=data_root',
            "dataset=dict(data_root='" + str(tmp_path / 'nowhere') + "'",
        )
    )
    proc = run_tool('tools/train.py', cfg, '--work-dir', tmp_path / 'w', check=False)
    assert proc.returncode != 0
    assert 'nowhere' in proc.stderr and 'cyclegan_demo.py' in proc.stderr


@pytest.mark.realdata
def test_train_and_translate_the_real_horse2zebra_files(tmp_path, horse2zebra):
    """The real JPEGs: grayscale zebras in training, 256 px photos translated."""
    cfg = write_tiny_config(
        tmp_path / 'real.py', max_iters=2, ckpt_interval=2, data=horse2zebra
    )
    work = tmp_path / 'work'
    run_tool('tools/train.py', cfg, '--work-dir', work)
    inputs = sorted((horse2zebra / 'testA').glob('*.jpg'))[:2]
    run_tool(
        'tools/translate.py',
        cfg,
        work / 'iter_2.pth',
        *inputs,
        '--out',
        tmp_path / 'out',
    )
    for src in inputs:
        img = cv2.imread(str(tmp_path / 'out' / (src.stem + '.png')))
        assert img is not None and img.shape == (256, 256, 3)
