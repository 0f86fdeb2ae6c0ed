"""Atomic writes: the old file or the new one, never a half-written one."""

import os

import numpy as np
import pytest
import torch

from cyclegan_plugin.fileio import atomic_path, save_atomic, write_image_atomic


def test_saves_and_replaces(tmp_path):
    path = tmp_path / 'ckpt.pth'
    save_atomic({'w': torch.ones(2)}, path)
    save_atomic({'w': torch.zeros(3)}, path)
    assert torch.equal(torch.load(path, weights_only=True)['w'], torch.zeros(3))
    assert os.listdir(tmp_path) == ['ckpt.pth']


def test_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / 'ckpt.pth'
    save_atomic({'w': torch.ones(2)}, path)
    with pytest.raises(Exception):  # noqa: B017 (pickling's error type varies)
        save_atomic({'w': lambda: None}, path)
    assert torch.equal(torch.load(path, weights_only=True)['w'], torch.ones(2))
    assert os.listdir(tmp_path) == ['ckpt.pth']


def test_permissions_follow_the_umask(tmp_path):
    umask = os.umask(0o022)
    try:
        save_atomic({}, tmp_path / 'a.pth')
    finally:
        os.umask(umask)
    assert (tmp_path / 'a.pth').stat().st_mode & 0o777 == 0o644


def test_missing_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match='create it'):
        save_atomic({}, tmp_path / 'no' / 'a.pth')


def test_a_failed_image_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def full_disk(src, dst):
        raise OSError(28, 'No space left on device', dst)

    monkeypatch.setattr(os, 'replace', full_disk)
    with pytest.raises(OSError, match='No space left'):
        write_image_atomic(str(tmp_path / 'x.png'), np.zeros((4, 4, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_leaves_the_old_file_when_the_writer_fails(tmp_path):
    path = tmp_path / 'a.txt'
    path.write_text('old')
    with pytest.raises(RuntimeError), atomic_path(path, fsync=True) as tmp:
        with open(tmp, 'w') as f:
            f.write('half')
        raise RuntimeError('killed')
    assert path.read_text() == 'old'
    assert os.listdir(tmp_path) == ['a.txt']
