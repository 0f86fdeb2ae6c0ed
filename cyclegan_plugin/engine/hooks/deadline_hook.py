"""Stops iteration-based training cleanly after a wall-clock budget."""

import math
from time import monotonic
from typing import Optional

import torch
from mmengine.dist import broadcast
from mmengine.hooks import CheckpointHook, Hook
from mmengine.runner import EpochBasedTrainLoop

from ...registry import HOOKS


@HOOKS.register_module()
class DeadlineHook(Hook):
    """End training after ``minutes`` of wall-clock time, with a checkpoint.

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

    Under DDP rank 0's clock decides for every rank (a broadcast per
    iteration), so all stop after the same iteration and save together. The
    clock starts at ``before_train``, after the model is built and a
    checkpoint loaded: a resumed run gets ``minutes`` again.

    Args:
        minutes (float): Training time allowed, in minutes; > 0.
        save_checkpoint (bool): Save a checkpoint of the iteration at which
            training stops. Defaults to True.

    Example:
        >>> custom_hooks = [dict(type='DeadlineHook', minutes=10)]
    """

    # After CheckpointHook (VERY_LOW): its save of this iteration is seen.
    priority = 'LOWEST'

    def __init__(self, minutes: float, save_checkpoint: bool = True) -> None:
        number = isinstance(minutes, (int, float)) and not isinstance(minutes, bool)
        if not number or not math.isfinite(minutes) or minutes <= 0:
            raise ValueError(
                f'minutes must be a positive number, but got minutes: {minutes!r}'
            )
        self.minutes = float(minutes)
        self.save_checkpoint = save_checkpoint
        self._start: Optional[float] = None
        self._stop_iter: Optional[int] = None

    def before_train(self, runner) -> None:
        """Start the clock; refuse a loop that cannot stop between iterations.

        Raises:
            TypeError: If the train loop has no ``stop_training`` flag, or
                checks it only between epochs (``EpochBasedTrainLoop``).
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

    def after_train_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Optional[dict] = None,
        outputs: Optional[dict] = None,
    ) -> None:
        """Stop after this iteration (and save it) once the time is up."""
        if self._start is None or not self._time_is_up():
            return
        step = runner.iter + 1
        runner.logger.info(
            f'DeadlineHook: {self.minutes:g} min of training are up after '
            f'iteration {step}; stopping.'
        )
        if self.save_checkpoint:
            self._save(runner, step)
        self._stop_iter = step
        runner.message_hub.update_info('deadline_stop_iter', step)
        runner.train_loop.stop_training = True

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

    def _time_is_up(self) -> bool:
        up = torch.tensor(float(monotonic() - self._start >= 60 * self.minutes))
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
