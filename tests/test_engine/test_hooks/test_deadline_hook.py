"""DeadlineHook: training ends at a wall-clock time, with a checkpoint."""

import sys
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
import torch
from mmengine.logging import MessageHub

from cyclegan_plugin.engine.hooks import DeadlineHook
from cyclegan_plugin.engine.hooks import deadline_hook as module

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from synthetic_runner import build_runner  # noqa: E402


class Clock:
    """Stands in for ``time.monotonic``: each reading is ``step`` s later."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(step=60.0)  # a minute per reading
    monkeypatch.setattr(module, 'monotonic', fake)
    return fake


def fake_runner(iteration=0, hooks=()):
    hub = MessageHub(f'deadline-{id(hooks)}-{iteration}')
    return SimpleNamespace(
        train_loop=SimpleNamespace(stop_training=False),
        iter=iteration,
        hooks=list(hooks),
        work_dir='work',
        logger=mock.Mock(),
        message_hub=hub,
        save_checkpoint=mock.Mock(),
    )


@pytest.mark.parametrize('minutes', [0, -1, float('nan'), float('inf'), True, '5'])
def test_init_refuses_a_bad_budget_naming_it(minutes):
    with pytest.raises(ValueError, match=f'minutes: {minutes!r}'):
        DeadlineHook(minutes)


def test_before_train_starts_the_clock_and_refuses_an_epoch_loop(clock):
    hook = DeadlineHook(1)
    runner = fake_runner()
    hook.before_train(runner)
    assert hook._start == 60.0
    runner.train_loop = SimpleNamespace()  # no stop_training flag
    with pytest.raises(TypeError, match='got the train loop SimpleNamespace'):
        hook.before_train(runner)


def test_after_train_iter_stops_and_saves_once_the_time_is_up(clock):
    hook = DeadlineHook(2.5)
    runner = fake_runner(iteration=1)
    hook.before_train(runner)  # t = 1 min
    hook.after_train_iter(runner, 1)  # 2 min: 1 of 2.5 used
    hook.after_train_iter(runner, 1)  # 3 min: 2 used
    assert not runner.train_loop.stop_training
    runner.save_checkpoint.assert_not_called()
    hook.after_train_iter(runner, 1)  # 4 min: 3 used
    assert runner.train_loop.stop_training
    runner.save_checkpoint.assert_called_once_with('work', 'iter_2.pth', by_epoch=False)
    assert runner.message_hub.get_info('deadline_stop_iter') == 2


def test_after_train_iter_keeps_the_checkpoint_hooks_save(clock):
    checkpoint_hook = mock.Mock(
        spec=module.CheckpointHook,
        out_dir='work',
        filename_tmpl='iter_{}.pth',
        file_backend=SimpleNamespace(join_path=lambda *p: '/'.join(p)),
    )
    hook = DeadlineHook(0.5)
    runner = fake_runner(iteration=4, hooks=[checkpoint_hook])
    hook.before_train(runner)
    runner.message_hub.update_info('last_ckpt', 'work/iter_5.pth')
    hook.after_train_iter(runner, 4)  # the checkpoint hook saved iteration 5
    checkpoint_hook._save_checkpoint.assert_not_called()
    runner.iter = 5
    runner.train_loop.stop_training = False
    hook.after_train_iter(runner, 5)  # iteration 6 is not saved yet
    checkpoint_hook._save_checkpoint.assert_called_once_with(runner)
    runner.save_checkpoint.assert_not_called()
    assert runner.train_loop.stop_training


def test_after_train_says_what_ended_the_run(clock):
    hook = DeadlineHook(10)
    runner = fake_runner(iteration=7)
    hook.before_train(runner)
    hook.after_train(runner)
    message = runner.logger.info.call_args[0][0]
    assert 'before the deadline after 7 iterations' in message
    hook.before_train(runner)
    hook.after_train_iter(runner, 7)
    assert not runner.train_loop.stop_training
    clock.step = 600.0
    hook.after_train_iter(runner, 7)
    hook.after_train(runner)
    message = runner.logger.info.call_args[0][0]
    assert 'at the deadline after 7 iterations' in message


def test_a_runner_stops_at_the_deadline_and_leaves_a_checkpoint(tmp_path, clock):
    # One clock reading at before_train, one per iteration: with a minute per
    # reading and 2.5 minutes allowed, iteration 3 is the last.
    work = tmp_path / 'work'
    runner = build_runner(
        work,
        max_iters=1000,
        interval=2,
        keep=5,
        custom_hooks=[dict(type='DeadlineHook', minutes=2.5)],
    )
    runner.train()
    assert runner.iter == 3
    assert sorted(p.name for p in work.glob('iter_*.pth')) == [
        'iter_2.pth',
        'iter_3.pth',
    ]
    assert (work / 'last_checkpoint').read_text() == 'iter_3.pth'
    checkpoint = torch.load(work / 'iter_3.pth', weights_only=True)
    assert checkpoint['meta']['iter'] == 3
    state = runner.model.state_dict()
    for key, value in checkpoint['state_dict'].items():
        if isinstance(value, torch.Tensor):  # not the buffers' image history
            assert torch.equal(value, state[key]), key


def fitting_runner(iteration=0, max_iters=100, val_interval=10):
    runner = fake_runner(iteration)
    runner.train_loop = SimpleNamespace(
        stop_training=False,
        _max_iters=max_iters,
        max_iters=max_iters,
        val_interval=val_interval,
    )
    runner.val_loop = object()
    runner.param_schedulers = []
    return runner


@pytest.mark.parametrize(
    'options, name',
    [
        (dict(calibrate_iters=0), 'calibrate_iters: 0'),
        (dict(fit_margin=1.0), 'fit_margin: 1.0'),
    ],
)
def test_init_refuses_bad_fitting_options_naming_them(options, name):
    with pytest.raises(ValueError, match=name):
        DeadlineHook(5, fit_schedule=True, **options)


def test_the_plan_counts_the_validations_it_has_timed(clock):
    clock.step = 6.0
    hook = DeadlineHook(10, fit_schedule=True, calibrate_iters=5, fit_margin=0.0)
    runner = fitting_runner()
    hook.before_train(runner)  # t = 6 s
    for iteration in range(5):
        runner.iter = iteration
        hook.after_train_iter(runner, iteration)
    # 5 iterations of 6 s, no validation timed yet: all 100 fit 570 s.
    assert runner.train_loop._max_iters == 100
    for iteration in range(5, 10):
        runner.iter = iteration
        hook.after_train_iter(runner, iteration)
    runner.iter = 10
    hook.before_val(runner)  # t = 72 s
    clock.step = 60.0
    hook.after_val(runner)  # a 60 s validation, 126 s used
    # 474 s left: 39 iterations and 4 validations (20, 30, 40, 49).
    assert runner.train_loop._max_iters == 49
    assert runner.message_hub.get_info('deadline_max_iters') == 49
    assert '49 of 100 iterations fit 10 min' in runner.logger.info.call_args[0][0]


def test_a_resumed_run_keeps_its_plan(clock):
    hook = DeadlineHook(10, fit_schedule=True, calibrate_iters=1)
    runner = fitting_runner(iteration=7)
    runner.message_hub.update_info('deadline_max_iters', 30)
    hook.before_train(runner)
    assert runner.train_loop._max_iters == 30
    hook.after_train_iter(runner, 7)
    assert runner.train_loop._max_iters == 30  # not planned again
    runner.logger.info.assert_not_called()


def test_fit_schedule_refuses_a_loop_without_max_iters(clock):
    runner = fake_runner()
    runner.param_schedulers = []
    with pytest.raises(TypeError, match='IterBasedTrainLoop, but got the train loop'):
        DeadlineHook(1, fit_schedule=True).before_train(runner)


def test_a_runner_plans_a_shorter_run_that_ends_in_time(tmp_path, clock):
    # One clock reading per iteration, 6 s each, 2 min less 3%: after 5 timed
    # iterations 86.4 s are left for 14 more, so the run ends at 19 of 40,
    # its linear decay moved from 20-40 to 10-19 (planned again at 9).
    clock.step = 6.0
    work = tmp_path / 'work'
    hook = dict(
        type='DeadlineHook',
        minutes=2,
        fit_schedule=True,
        calibrate_iters=5,
        fit_margin=0.03,
    )
    runner = build_runner(work, max_iters=40, interval=100, custom_hooks=[hook])
    runner.train()
    assert runner.iter == 19
    assert runner.message_hub.get_info('deadline_max_iters') == 19
    assert runner.message_hub.get_info('deadline_stop_iter') is None  # ended by plan
    for name, schedulers in runner.param_schedulers.items():
        assert [(s.begin, s.end) for s in schedulers] == [(10, 19)], name
        lr = runner.optim_wrapper[name].param_groups[0]['lr']
        assert lr == pytest.approx(0.0, abs=1e-12), name  # decayed to the end
    assert (work / 'last_checkpoint').read_text() == 'iter_19.pth'
    checkpoint = torch.load(work / 'iter_19.pth', weights_only=False)
    assert checkpoint['message_hub']['runtime_info']['deadline_max_iters'] == 19
