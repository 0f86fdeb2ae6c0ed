"""env_cfg.dist_cfg.timeout: checked, given to gloo and NCCL, explained."""

import warnings
from datetime import timedelta
from pathlib import Path

import pytest
import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.runner import Runner

from cyclegan_plugin.engine.runner import RobustRunner
from cyclegan_plugin.engine.runner import robust_runner as robust_runner_module

REPO = Path(__file__).resolve().parents[3]
GLOO_TIMEOUT = (
    '[third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:78] Timed out '
    'waiting 10000ms for recv operation to complete'
)


class ErrorLog:
    def __init__(self):
        self.lines = []

    def error(self, line):
        self.lines.append(line)


@pytest.fixture
def launched(monkeypatch):
    """A RobustRunner before ``__init__``, as under torchrun, no group yet.

    Returns the runner and what it passed to gloo's and MMEngine's set-ups.
    """
    runner = RobustRunner.__new__(RobustRunner)
    runner._distributed = True
    calls = {}
    monkeypatch.setattr(robust_runner_module, 'is_distributed', lambda: False)
    monkeypatch.setattr(
        torch_dist, 'init_process_group', lambda **kw: calls.setdefault('gloo', kw)
    )
    monkeypatch.setattr(
        Runner, 'setup_env', lambda self, env_cfg: calls.setdefault('mmengine', env_cfg)
    )
    monkeypatch.delenv('TORCH_NCCL_ASYNC_ERROR_HANDLING', raising=False)
    monkeypatch.delenv('NCCL_ASYNC_ERROR_HANDLING', raising=False)
    return runner, calls


def test_default_runtime_sets_a_timeout_of_minutes():
    cfg = Config.fromfile(REPO / 'configs' / '_base_' / 'default_runtime.py')
    timeout = cfg.env_cfg.dist_cfg.timeout
    assert isinstance(timeout, int) and 60 <= timeout < 30 * 60


def test_gloo_group_gets_the_timeout(launched, monkeypatch):
    runner, calls = launched
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    runner.setup_env(dict(dist_cfg=dict(backend='nccl', timeout=10)))
    assert calls.pop('gloo') == dict(backend='gloo', timeout=timedelta(seconds=10))
    # A config that does not inherit default_runtime.py: minutes, not 30.
    runner.setup_env(dict(dist_cfg=dict(backend='nccl')))
    assert timedelta(minutes=1) <= calls['gloo']['timeout'] < timedelta(minutes=30)


def test_nccl_init_gets_the_timeout(launched, monkeypatch):
    runner, calls = launched
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # torch's own error handling: no warning
        runner.setup_env(dict(dist_cfg=dict(backend='nccl', timeout=10)))
    # MMEngine's init_dist makes the timedelta from these seconds.
    assert calls.pop('mmengine')['dist_cfg'] == dict(backend='nccl', timeout=10)
    runner.setup_env(dict(dist_cfg=dict(backend='nccl')))
    assert 60 <= calls['mmengine']['dist_cfg']['timeout'] < 30 * 60
    assert 'gloo' not in calls


def test_nccl_error_handling_turned_off_is_warned_about(launched, monkeypatch):
    runner, calls = launched
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setenv('TORCH_NCCL_ASYNC_ERROR_HANDLING', '0')
    with pytest.warns(UserWarning, match='TORCH_NCCL_ASYNC_ERROR_HANDLING=0'):
        runner.setup_env(dict(dist_cfg=dict(backend='nccl', timeout=10)))


@pytest.mark.parametrize(
    'value', ['10', 0, -5, True, None, float('nan'), float('inf'), [10]]
)
@pytest.mark.parametrize('cuda', [False, True], ids=['gloo', 'nccl'])
def test_bad_timeout_is_a_one_line_error_naming_the_key(
    launched, monkeypatch, value, cuda
):
    runner, calls = launched
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: cuda)
    with pytest.raises(ValueError, match=r'env_cfg\.dist_cfg\.timeout=') as error:
        runner.setup_env(dict(dist_cfg=dict(backend='nccl', timeout=value)))
    assert '\n' not in str(error.value)
    assert 'positive number of seconds' in str(error.value)
    assert calls == {}  # nothing initialised with it


def test_collective_timeout_is_explained_and_reraised(launched, monkeypatch):
    runner, _ = launched
    runner._dist_timeout, runner._rank, runner.logger = 10, 0, ErrorLog()
    error = RuntimeError('DataLoader timed out after 5 seconds')

    def val(self):
        raise error

    monkeypatch.setattr(Runner, 'val', val)
    with pytest.raises(RuntimeError, match='DataLoader'):
        runner.val()
    assert runner.logger.lines == []  # not a collective's timeout

    error = RuntimeError(GLOO_TIMEOUT)
    with pytest.raises(RuntimeError, match='Timed out waiting 10000ms'):
        runner.val()
    (line,) = runner.logger.lines
    assert line.startswith('rank 0: a collective (called at ')
    assert __file__ in line
    assert 'env_cfg.dist_cfg.timeout=10 s' in line
    assert line.endswith('--cfg-options env_cfg.dist_cfg.timeout=20.')
