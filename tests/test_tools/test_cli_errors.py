"""Tools: every expected failure is one ``error:`` line naming what is wrong.

Most cases run a tool's ``main`` in process through :func:`run_cli`, as its
``__main__`` block does; one runs a real training subprocess.
"""

import errno
import importlib.util
import os
import shutil

import pytest
import torch
from mmengine.fileio.backends import LocalBackend

from cyclegan_plugin.apis import run_cli

from .tool_helpers import REPO, run_tool, tiny_data_root, write_tiny_config

DEMO = REPO / 'configs' / 'cyclegan_demo.py'


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(
        f'{name}_tool', REPO / 'tools' / f'{name}.py'
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _error_line(err: str) -> str:
    """The only line of ``err``, which must be an ``error:`` line."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: '), err
    assert 'Traceback' not in err
    return lines[0]


def test_corrupt_training_image_in_a_dataloader_worker(tmp_path):
    data = shutil.copytree(tiny_data_root(), tmp_path / 'data')
    bad = data / 'trainA' / '000001.png'
    bad.write_bytes(b'not an image')
    cfg = write_tiny_config(tmp_path / 'tiny.py', num_workers=1, data=data)
    proc = run_tool('tools/train.py', cfg, '--work-dir', tmp_path / 'work', check=False)
    assert proc.returncode == 2, proc.stderr[-3000:]
    line = _error_line(proc.stderr)
    assert f'Cannot decode image file {str(bad)!r}' in line
    assert line.endswith('--cfg-options train_dataloader.dataset.skip_corrupt=True.')


@pytest.mark.parametrize(
    'option, expected',
    [
        (
            'train_cfg.max_iters=abc',
            'error: --cfg-options train_cfg.max_iters=abc: expected an integer (the '
            "config has 6), not the str 'abc'.",
        ),
        (
            'optim_wrapper.generators.optimizer.lr=abc',
            'error: --cfg-options optim_wrapper.generators.optimizer.lr=abc: '
            "expected a number (the config has 0.0002), not the str 'abc'.",
        ),
    ],
)
def test_cfg_option_of_the_wrong_type(option, expected, tmp_path, capsys):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    argv = [str(cfg), '--cfg-options', option, '--work-dir', str(tmp_path / 'w')]
    assert run_cli(_tool('train').main, argv) == 2
    assert _error_line(capsys.readouterr().err) == expected


@pytest.mark.parametrize('inside', [False, True])
def test_work_dir_that_is_a_file(inside, tmp_path, capsys):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    afile = tmp_path / 'results.txt'
    afile.write_text('')
    work = afile / 'run' if inside else afile
    argv = [str(cfg), '--work-dir', str(work)]
    assert run_cli(_tool('train').main, argv) == 2
    line = _error_line(capsys.readouterr().err)
    assert f'--work-dir {str(work)!r}' in line and 'choose another --work-dir' in line
    assert repr(str(afile)) in line


def test_unwritable_work_dir(tmp_path, monkeypatch, capsys):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    locked = tmp_path / 'locked'
    locked.mkdir()
    # Root writes through chmod 0o500; access() is what a read-only mount
    # or a missing permission changes, even for root.
    real_access = os.access
    monkeypatch.setattr(
        os, 'access', lambda path, mode: path != str(locked) and real_access(path, mode)
    )
    argv = [str(cfg), '--work-dir', str(locked / 'run')]
    assert run_cli(_tool('train').main, argv) == 2
    line = _error_line(capsys.readouterr().err)
    assert f'{str(locked)!r} is read-only or not yours' in line


def test_full_disk_while_writing_a_checkpoint(tmp_path, monkeypatch, capsys):
    def full_disk_put(self, obj, filepath):
        with open(filepath, 'wb') as file:
            file.write(obj[:0])
            # What write() raises on a full disk: an OSError naming no file.
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(LocalBackend, 'put', full_disk_put)
    cfg = write_tiny_config(tmp_path / 'tiny.py', max_iters=1, ckpt_interval=1)
    work = tmp_path / 'work'
    assert run_cli(_tool('train').main, [str(cfg), '--work-dir', str(work)]) == 2
    err = capsys.readouterr().err
    line = err.splitlines()[-1]
    assert line.startswith(f"error: No space left on device: '{work}{os.sep}")
    assert line.endswith(
        'free space on that disk, or write elsewhere (e.g. '
        'another --work-dir or --out).'
    )
    assert 'Traceback' not in err
    assert all(other.startswith('warning: ') for other in err.splitlines()[:-1])


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs a machine without CUDA')
def test_device_cuda_without_a_gpu(capsys):
    argv = [str(DEMO), '--device', 'cuda', '--size', '32', '--iters', '1']
    argv += ['--warmup', '0', '--repeats', '1', '--no-memory']
    assert run_cli(_tool('benchmark').main, argv) == 2
    line = _error_line(capsys.readouterr().err)
    assert line.startswith('error: CUDA is not available here (')
    assert line.endswith('run on the CPU (e.g. --device cpu).')


@pytest.mark.parametrize('content', [b'', b'PK\x03\x04 truncated'])
def test_empty_or_truncated_checkpoint(content, tmp_path, capsys):
    ckpt = tmp_path / 'plugin.pth'
    ckpt.write_bytes(content)
    argv = ['--to', 'junyanz', str(ckpt), '--out-dir', str(tmp_path / 'out')]
    assert run_cli(_tool('convert_checkpoint').main, argv) == 2
    assert str(ckpt) in _error_line(capsys.readouterr().err)
