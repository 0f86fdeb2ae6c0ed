"""RobustRunner: atomic saves, weights-only loads, clear errors."""

import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from cyclegan_plugin.registry import RUNNERS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'test_tools'))
from tool_helpers import write_tiny_config  # noqa: E402


def build_runner(tmp_path, name='run', **cfg_extra):
    cfg = Config.fromfile(
        write_tiny_config(
            tmp_path / f'{name}.py', max_iters=2, ckpt_interval=2, **cfg_extra
        )
    )
    cfg.work_dir = str(tmp_path / name)
    cfg.experiment_name = name
    return RUNNERS.build(cfg)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('robust')
    runner = build_runner(tmp)
    runner.train()
    return runner, tmp


def test_checkpoint_is_weights_only_loadable(trained):
    runner, tmp = trained
    ckpt = torch.load(tmp / 'run' / 'iter_2.pth', weights_only=True)
    assert ckpt['meta']['iter'] == 2
    assert set(ckpt['optimizer']) == {'generators', 'discriminators'}
    assert 'rng_states' in ckpt and 'message_hub' in ckpt


def test_failed_save_keeps_previous_checkpoint(trained, monkeypatch):
    runner, tmp = trained
    path = tmp / 'run' / 'iter_2.pth'
    before = path.read_bytes()
    real_save = torch.save

    def crash_midway(obj, f, *args, **kwargs):
        real_save({'partial': torch.zeros(10)}, f)  # some bytes reach the file
        raise OSError('disk full (injected)')

    monkeypatch.setattr(torch, 'save', crash_midway)
    with pytest.raises(OSError, match='injected'):
        runner.save_checkpoint(str(tmp / 'run'), 'iter_2.pth')
    monkeypatch.setattr(torch, 'save', real_save)
    assert path.read_bytes() == before
    assert not [p for p in (tmp / 'run').iterdir() if 'tmp' in p.name]
    assert torch.load(path, weights_only=True)['meta']['iter'] == 2


def test_truncated_checkpoint_error_names_file(trained):
    runner, tmp = trained
    bad = tmp / 'truncated.pth'
    bad.write_bytes((tmp / 'run' / 'iter_2.pth').read_bytes()[:5000])
    with pytest.raises(RuntimeError, match=r'(?s)truncated.pth.*may be truncated'):
        runner.load_checkpoint(str(bad))


def test_checkpoint_with_pickled_code_is_refused(trained):
    runner, tmp = trained
    evil = tmp / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': Path('x')}, evil)
    with pytest.raises(RuntimeError, match='evil.pth'):
        runner.load_checkpoint(str(evil))


def test_other_architecture_lists_keys_and_shapes(trained, tmp_path):
    runner, tmp = trained
    other = build_runner(tmp_path, 'other')
    other.model.generators.A.stem.conv.weight.data = torch.zeros(4, 3, 7, 7)
    ckpt = dict(state_dict=other.model.state_dict())
    ckpt['state_dict']['generators.A.extra.weight'] = torch.zeros(1)
    path = tmp_path / 'other.pth'
    torch.save(ckpt, path)
    with pytest.raises(RuntimeError) as err:
        runner.load_checkpoint(str(path))
    text = str(err.value)
    assert 'other.pth' in text and 'unexpected keys' in text
    assert 'generators.A.extra.weight' in text
    assert 'generators.A.stem.conv.weight: (4, 3, 7, 7) in the file' in text
