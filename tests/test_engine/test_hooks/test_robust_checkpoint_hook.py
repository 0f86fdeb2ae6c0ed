"""RobustCheckpointHook and RobustRunner: no good checkpoint is ever lost."""

import sys
from pathlib import Path

import pytest
import torch
from mmengine.hooks import CheckpointHook, Hook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from synthetic_runner import build_runner  # noqa: E402


def checkpoints(work):
    return sorted(p.name for p in work.glob('iter_*.pth'))


def finite(path):
    state = torch.load(path, weights_only=True)['state_dict']
    return all(
        torch.isfinite(v).all()
        for v in state.values()
        if isinstance(v, torch.Tensor) and v.is_floating_point()
    )


class CorruptWeights(Hook):
    """Turns a weight into NaN before iteration ``at`` (1-based), as a fault
    no loss or gradient check sees would."""

    def __init__(self, at):
        self.at = at

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if batch_idx + 1 == self.at:
            next(runner.model.generators.parameters()).data.fill_(float('nan'))


class NanGradients(Hook):
    """From iteration ``since`` on, a generator weight gets NaN gradients of
    finite losses."""

    def __init__(self, since):
        self.since = since

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if batch_idx + 1 == self.since:
            weight = next(runner.model.generators.parameters())
            weight.register_hook(lambda grad: grad * float('nan'))


@pytest.mark.parametrize('keep', [1, 2])
def test_nonfinite_weights_are_never_saved_and_the_newest_good_survives(tmp_path, keep):
    work = tmp_path / 'work'
    runner = build_runner(work, max_iters=6, keep=keep)
    runner.register_hook(CorruptWeights(at=4))
    with pytest.raises(RuntimeError, match='Refused to write checkpoint') as err:
        runner.train()
    assert checkpoints(work) == ['iter_2.pth', 'iter_3.pth'][-keep:]
    assert all(finite(work / name) for name in checkpoints(work))
    assert (work / 'last_checkpoint').read_text() == 'iter_3.pth'
    assert f'--resume {work / "iter_3.pth"}' in str(err.value)


def test_nan_gradients_stop_training_at_the_last_finite_checkpoint(tmp_path):
    work = tmp_path / 'work'
    runner = build_runner(work, max_iters=8, **{'model.max_nonfinite_streak': 3})
    runner.register_hook(NanGradients(since=3))
    with pytest.raises(RuntimeError, match='3 iterations in a row') as err:
        runner.train()
    # Iterations 3 and 4 skipped their updates (and saved the same weights);
    # the third skip in a row, iteration 5, stopped the run.
    assert checkpoints(work) == ['iter_4.pth']
    assert finite(work / 'iter_4.pth')
    assert (work / 'last_checkpoint').read_text() == 'iter_4.pth'
    assert f'--resume {work / "iter_4.pth"}' in str(err.value)
    assert all(torch.isfinite(p).all() for p in runner.model.parameters())


def test_a_crash_during_the_next_save_keeps_the_only_checkpoint(tmp_path, monkeypatch):
    work = tmp_path / 'work'
    runner = build_runner(work, max_iters=2, keep=1)
    runner.train()
    assert checkpoints(work) == ['iter_2.pth']
    hook = next(h for h in runner.hooks if isinstance(h, CheckpointHook))

    def crash(*args, **kwargs):
        raise OSError('killed during the save (injected)')

    monkeypatch.setattr(torch, 'save', crash)
    with pytest.raises(OSError, match='injected'):
        hook.after_train_iter(runner, batch_idx=2)  # saves iter_3.pth
    monkeypatch.undo()
    assert checkpoints(work) == ['iter_2.pth']
    assert (work / 'last_checkpoint').read_text() == 'iter_2.pth'
    assert runner.message_hub.get_info('keep_ckpt_ids') == [2]
    assert torch.load(work / 'iter_2.pth', weights_only=True)['meta']['iter'] == 2


def test_divergence_stop_names_the_newest_checkpoint_and_when_it_began(tmp_path):
    work = tmp_path / 'work'
    runner = build_runner(
        work,
        max_iters=8,
        keep=3,
        **{
            'optim_wrapper.generators.optimizer.lr': 1e6,
            'optim_wrapper.discriminators.optimizer.lr': 1e6,
            'model.divergence_cfg': dict(patience=3),
        },
    )
    with pytest.raises(RuntimeError, match='training diverged') as err:
        runner.train()
    # Iteration 1's update blew the weights up; iterations 2 to 4 were flagged.
    assert checkpoints(work) == ['iter_1.pth', 'iter_2.pth', 'iter_3.pth']
    assert 'Weights from iteration 1 on are diverged' in str(err.value)
    assert f'the newest of all is {work / "iter_3.pth"}' in str(err.value)
