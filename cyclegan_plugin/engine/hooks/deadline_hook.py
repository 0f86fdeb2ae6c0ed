"""Ends iteration-based training within a wall-clock budget."""

import math
from time import monotonic
from typing import List, Optional

import torch
from mmengine.dist import broadcast
from mmengine.hooks import CheckpointHook, Hook
from mmengine.runner import EpochBasedTrainLoop

from ...registry import HOOKS
from ..runner.schedule_fit import (
    fit_iterations,
    rescale_schedulers,
    schedule_milestones,
)


@HOOKS.register_module()
class DeadlineHook(Hook):
    """End training within ``minutes`` of wall-clock time, with a checkpoint.

    MMEngine's loops end at ``max_iters``; a machine lent for a few minutes
    needs a run that ends at a time instead. After every iteration the hook
    compares the time since ``before_train`` with ``minutes``; once it is up,
    it saves a checkpoint of the iteration just finished (through the
    runner's ``CheckpointHook``, so its rotation and ``last_checkpoint``
    apply, unless that hook saved this iteration already) and sets
    ``runner.train_loop.stop_training``, the flag MMEngine's
    ``EarlyStoppingHook`` sets: the loop ends as after its last iteration,
    ``after_train_epoch`` and ``after_train`` hooks included. The runtime
    info ``'deadline_stop_iter'`` then holds the last iteration trained.

    A stop at the deadline cuts the learning-rate schedule short. With
    ``fit_schedule`` the hook instead plans a run that ends in time: it
    measures the time of a training iteration and of a validation, and sets
    ``max_iters`` to the most iterations (never more than configured) that
    fit ``minutes`` less ``fit_margin`` of them, moving the schedules that
    have not begun in proportion (a decay from half of ``max_iters`` still
    starts at half the planned run; see
    :func:`~cyclegan_plugin.engine.runner.schedule_fit.rescale_schedulers`).
    It plans after ``calibrate_iters`` iterations, again after every
    validation, and a last time just before a schedule begins; after that
    the plan stands, and the deadline stop stays as the guard. The planned
    length is the runtime info ``'deadline_max_iters'``, saved with
    checkpoints: a resumed run keeps it.

    Under DDP rank 0's clock decides for every rank (a broadcast per
    iteration), so all stop after the same iteration and save together. The
    clock starts at ``before_train``, after the model is built and a
    checkpoint loaded: a resumed run gets ``minutes`` again.

    Args:
        minutes (float): Training time allowed, in minutes; > 0.
        save_checkpoint (bool): Save a checkpoint of the iteration at which
            training stops. Defaults to True.
        fit_schedule (bool): Shorten ``max_iters`` and the schedules to end
            within ``minutes``. Defaults to False.
        calibrate_iters (int): Iterations timed before the first plan.
            Defaults to 100.
        fit_margin (float): Fraction of ``minutes`` the plan leaves unused,
            for the speed to vary. Defaults to 0.02.

    Example:
        >>> custom_hooks = [dict(type='DeadlineHook', minutes=10)]
        >>> custom_hooks = [dict(type='DeadlineHook', minutes=115, fit_schedule=True)]
    """

    # After CheckpointHook (VERY_LOW): its save of this iteration is seen;
    # after ParamSchedulerHook (LOW): the schedulers have stepped.
    priority = 'LOWEST'

    def __init__(
        self,
        minutes: float,
        save_checkpoint: bool = True,
        fit_schedule: bool = False,
        calibrate_iters: int = 100,
        fit_margin: float = 0.02,
    ) -> None:
        number = isinstance(minutes, (int, float)) and not isinstance(minutes, bool)
        if not number or not math.isfinite(minutes) or minutes <= 0:
            raise ValueError(
                f'minutes must be a positive number, but got minutes: {minutes!r}'
            )
        if not isinstance(calibrate_iters, int) or calibrate_iters < 1:
            raise ValueError(
                'calibrate_iters must be a positive integer, but got '
                f'calibrate_iters: {calibrate_iters!r}'
            )
        if not 0 <= fit_margin < 1:
            raise ValueError(
                f'fit_margin must be in [0, 1), but got fit_margin: {fit_margin!r}'
            )
        self.minutes = float(minutes)
        self.save_checkpoint = save_checkpoint
        self.fit_schedule = fit_schedule
        self.calibrate_iters = calibrate_iters
        self.fit_margin = float(fit_margin)
        self._start: Optional[float] = None
        self._stop_iter: Optional[int] = None

    def before_train(self, runner) -> None:
        """Start the clock; refuse a loop that cannot stop between iterations.

        Raises:
            TypeError: If the train loop has no ``stop_training`` flag, or
                checks it only between epochs (``EpochBasedTrainLoop``); with
                ``fit_schedule``, if a schedule cannot be scaled
                (:func:`~cyclegan_plugin.engine.runner.schedule_fit.schedule_milestones`).
        """
        loop = runner.train_loop
        if isinstance(loop, EpochBasedTrainLoop) or not hasattr(loop, 'stop_training'):
            raise TypeError(
                'DeadlineHook stops iteration-based training (IterBasedTrainLoop '
                'checks stop_training after every iteration), but got the train '
                f'loop {type(loop).__name__}'
            )
        self._start = monotonic()
        self._stop_iter = None
        if self.fit_schedule:
            self._start_fitting(runner)

    def _start_fitting(self, runner) -> None:
        loop = runner.train_loop
        if not hasattr(loop, '_max_iters'):
            raise TypeError(
                'DeadlineHook(fit_schedule=True) sets the max_iters of an '
                f'IterBasedTrainLoop, but got the train loop {type(loop).__name__}'
            )
        self._most = loop.max_iters
        self._milestones = schedule_milestones(runner.param_schedulers)
        self._timed: List[float] = [0.0, 0]  # seconds, iterations
        self._val_seconds = 0.0
        self._val_started = self._start  # set again by every before_val
        self._last_reading = self._start
        self._next_begin: Optional[int] = None  # a schedule's, once planned
        self._frozen = False
        planned = runner.message_hub.get_info('deadline_max_iters')
        if planned is not None:  # resumed: the schedulers hold the plan
            loop._max_iters = int(planned)
            self._frozen = True

    def after_train_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Optional[dict] = None,
        outputs: Optional[dict] = None,
    ) -> None:
        """Plan the run's length when due; stop (and save) once time is up."""
        if self._start is None:
            return
        now = monotonic()
        step = runner.iter + 1
        if self._fitting():
            self._timed[0] += now - self._last_reading
            self._timed[1] += 1
            self._last_reading = now
            due = self._timed[1] == self.calibrate_iters
            # A last plan just before a schedule begins: the best estimate.
            if due or (self._next_begin and step + 1 >= self._next_begin):
                self._plan(runner, step, now)
        if not self._time_is_up(now):
            return
        runner.logger.info(
            f'DeadlineHook: {self.minutes:g} min of training are up after '
            f'iteration {step}; stopping.'
        )
        if self.save_checkpoint:
            self._save(runner, step)
        self._stop_iter = step
        runner.message_hub.update_info('deadline_stop_iter', step)
        runner.train_loop.stop_training = True

    def before_val(self, runner) -> None:
        """Time a validation within training (the plan counts them)."""
        if self._fitting():
            self._val_started = monotonic()

    def after_val(self, runner) -> None:
        """Plan again with this validation's time."""
        if not self._fitting():
            return
        now = monotonic()
        self._val_seconds = now - self._val_started
        self._last_reading = now  # the validation is not an iteration's time
        if self._timed[1] >= self.calibrate_iters:
            self._plan(runner, runner.iter, now)

    def _fitting(self) -> bool:
        return self.fit_schedule and self._start is not None and not self._frozen

    def _plan(self, runner, done: int, now: float) -> None:
        loop = runner.train_loop
        seconds, iterations = self._timed
        per_iter = seconds / iterations
        budget = 60 * self.minutes * (1 - self.fit_margin)
        last = fit_iterations(
            done,
            self._most,
            seconds_left=budget - (now - self._start),
            seconds_per_iter=per_iter,
            seconds_per_val=self._val_seconds,
            val_interval=getattr(loop, 'val_interval', None)
            if runner.val_loop is not None
            else None,
        )
        last_tensor = torch.tensor(last)
        broadcast(last_tensor, src=0)  # rank 0's plan for every rank
        last = int(last_tensor.item())
        loop._max_iters = last
        self._next_begin = rescale_schedulers(self._milestones, done, last, self._most)
        # Without schedules the plan follows every validation to the end.
        self._frozen = self._next_begin is None and bool(self._milestones)
        runner.message_hub.update_info('deadline_max_iters', last)
        begins = sorted({s.begin for s, _, _ in self._milestones})
        runner.logger.info(
            f'DeadlineHook: {last} of {self._most} iterations fit {self.minutes:g} '
            f'min ({per_iter:.3f} s per iteration over {iterations}, '
            f'{self._val_seconds:.1f} s per validation); schedules begin at '
            f'{begins}' + ('; the plan stands' if self._frozen else '')
        )

    def after_train(self, runner) -> None:
        """Say whether the deadline or ``max_iters`` ended the run."""
        if self._start is None:
            return
        elapsed = (monotonic() - self._start) / 60
        how = 'before the deadline' if self._stop_iter is None else 'at the deadline'
        runner.logger.info(
            f'DeadlineHook: training ended {how} after {runner.iter} iterations '
            f'and {elapsed:.2f} of {self.minutes:g} min.'
        )
        self._start = None

    def _time_is_up(self, now: float) -> bool:
        up = torch.tensor(float(now - self._start >= 60 * self.minutes))
        broadcast(up, src=0)  # no-op without a process group
        return bool(up.item())

    @staticmethod
    def _save(runner, step: int) -> None:
        hook = next((h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        if hook is None:
            runner.save_checkpoint(runner.work_dir, f'iter_{step}.pth', by_epoch=False)
            return
        path = hook.file_backend.join_path(
            hook.out_dir, hook.filename_tmpl.format(step)
        )
        # The hook's own save (private in MMEngine) keeps its rotation, its
        # last_checkpoint file and RobustCheckpointHook's safety.
        if runner.message_hub.get_info('last_ckpt') != path:
            hook._save_checkpoint(runner)
