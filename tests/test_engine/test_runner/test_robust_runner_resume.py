"""RobustRunner at the start of training: leftovers, resume, length checks."""

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from cyclegan_plugin.engine.runner.checkpoint_files import read_last_checkpoint

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from synthetic_runner import build_runner  # noqa: E402


def test_partial_saves_of_a_killed_run_are_removed_at_start(tmp_path):
    work = tmp_path / 'work'
    work.mkdir()
    dead = subprocess.Popen([sys.executable, '-c', ''])
    dead.wait()
    stale = [f'.iter_4.pth.tmp-{dead.pid}', f'.last_checkpoint.tmp-{dead.pid}']
    others = [
        'iter_4.pth.tmp-1',
        '.iter_4.pth.tmp-x1',
        '.iter_4.pth.tmp-1.bak',
        '.notes.tmp-1',
        'iter_4.pth',
    ]
    for name in stale + others:
        (work / name).write_bytes(b'partial')
    runner = build_runner(work, max_iters=1)
    runner.train()
    names = {p.name for p in work.iterdir()}
    assert not names & set(stale)
    assert set(others) <= names
    log = (Path(runner.log_dir) / f'{runner.timestamp}.log').read_text()
    assert re.search(
        rf'Removed partial checkpoint files .*: {re.escape(", ".join(sorted(stale)))}',
        log,
    )


@pytest.mark.parametrize('record', ['as written', 'absolute (older runs)'])
def test_a_copied_work_dir_resumes_from_its_own_checkpoint(tmp_path, record):
    first, copy = tmp_path / 'first', tmp_path / 'copy'
    build_runner(first, max_iters=2, keep=2).train()
    shutil.copytree(first, copy)
    if record != 'as written':
        (copy / 'last_checkpoint').write_text(str(first / 'iter_2.pth'))
    # The original folder goes on elsewhere; its file no longer fits.
    (first / 'iter_2.pth').write_bytes(b'not a checkpoint')
    runner = build_runner(copy, max_iters=3, keep=2, resume=True)
    runner.train()
    assert runner.message_hub.get_info('last_good_checkpoint') == str(
        copy / 'iter_3.pth'
    )
    assert torch.load(copy / 'iter_3.pth', weights_only=True)['meta']['iter'] == 3
    assert (copy / 'last_checkpoint').read_text() == 'iter_3.pth'


def test_last_checkpoint_records_are_read_against_the_work_dir(tmp_path, caplog):
    other, here = tmp_path / 'other', tmp_path / 'here'
    for folder in (other, here):
        folder.mkdir()
        (folder / 'iter_2.pth').write_bytes(b'x')
    logger = logging.getLogger('test_last_checkpoint')
    (here / 'last_checkpoint').write_text('iter_2.pth\n')
    assert read_last_checkpoint(str(here), logger) == str(here / 'iter_2.pth')
    (here / 'last_checkpoint').write_text(str(other / 'iter_2.pth'))
    with caplog.at_level(logging.INFO, logger='test_last_checkpoint'):
        assert read_last_checkpoint(str(here), logger) == str(here / 'iter_2.pth')
    assert f'names {other / "iter_2.pth"}, outside this work dir' in caplog.text
    # A checkpoint kept outside the work dir (CheckpointHook's out_dir).
    (here / 'iter_2.pth').unlink()
    assert read_last_checkpoint(str(here), logger) == str(other / 'iter_2.pth')
    (other / 'iter_2.pth').unlink()
    with pytest.raises(FileNotFoundError, match='which does not exist'):
        read_last_checkpoint(str(here), logger)


def test_resume_without_a_checkpoint_is_an_error(tmp_path):
    work = tmp_path / 'work'
    runner = build_runner(work, resume=True)
    with pytest.raises(FileNotFoundError) as err:
        runner.train()
    assert str(work) in str(err.value)
    assert 'has no checkpoint to resume from' in str(err.value)
    assert 'Drop --resume to start fresh' in str(err.value)
    assert not list(work.glob('*.pth'))


def test_max_iters_of_zero_is_an_error(tmp_path):
    runner = build_runner(tmp_path / 'work', max_iters=0)
    with pytest.raises(ValueError, match=r'train_cfg\.max_iters is 0: nothing'):
        runner.train()


def test_resuming_at_the_end_of_training_is_an_error(tmp_path):
    work = tmp_path / 'work'
    build_runner(work, max_iters=2).train()
    runner = build_runner(work, max_iters=2, resume=True)
    with pytest.raises(ValueError) as err:
        runner.train()
    assert str(err.value) == (
        f'Nothing to resume: {work / "iter_2.pth"} is at iteration 2 and '
        'train_cfg.max_iters is 2. To train on, raise it: --cfg-options '
        'train_cfg.max_iters=N with N > 2.'
    )
