"""save_atomic: the old file or the new one, never a half-written one."""

import os

import pytest
import torch

from cyclegan_plugin.utils import save_atomic


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
