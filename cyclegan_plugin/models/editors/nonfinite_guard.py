"""Skips optimizer updates on non-finite losses, and stops a diverged run."""

import logging
import statistics
from collections import deque
from typing import Deque, Dict, List, Optional

import torch
from mmengine import MessageHub, print_log
from mmengine.dist import all_reduce, get_world_size
from mmengine.optim import OptimWrapper

# Runtime-info key of the newest checkpoint this run can resume from: set by
# ``RobustCheckpointHook`` after each complete save and by ``RobustRunner``
# on resume.
LAST_GOOD_CHECKPOINT = 'last_good_checkpoint'


def resume_advice(diverged_since: Optional[int] = None) -> str:
    """What to do after training diverged, naming the checkpoint to resume.

    Args:
        diverged_since (int, optional): The first iteration whose weights
            are known to be diverged (finite, but far off), if any.

    Returns:
        str: One sentence, e.g. ``'Resume from the last good checkpoint
        (--resume work/iter_4.pth) with a lower learning rate ...'``.
    """
    path = MessageHub.get_current_instance().get_info(LAST_GOOD_CHECKPOINT)
    if path and diverged_since is not None:
        where = (
            f'Weights from iteration {diverged_since} on are diverged: resume '
            f'from the newest checkpoint saved before that (the newest of all is '
            f'{path}; --resume PATH)'
        )
    elif path:
        where = f'Resume from the last good checkpoint (--resume {path})'
    else:
        where = 'No checkpoint of this run was saved yet: start again'
    return (
        f'{where} with a lower learning rate (optim_wrapper.*.optimizer.lr), a '
        'lower identity weight (model.identity_loss.loss_weight), or in fp32 '
        '(without --amp).'
    )


class NonFiniteGuard:
    """Apply an update only when its losses and gradients are finite.

    A non-finite loss, or a finite loss whose gradients are not finite, skips
    the update (gradients are cleared), is counted, and is reported. All
    ranks decide together. ``max_streak`` skips in a row raise an error that
    says what to try, so training stops before NaN weights reach a
    checkpoint.

    Divergence with finite numbers is caught too: a loss total (``name``)
    above ``divergence_factor`` times the median of its last
    ``divergence_window`` unflagged values (at least ``divergence_floor``)
    is flagged; the first flag of a streak warns, ``divergence_patience``
    flags in a row stop training. Flagged values stay out of the median, so
    it keeps the level from before the blow-up. Normal training stays far
    below the defaults: a loss a thousand times its usual level is no longer
    learning.

    Args:
        max_streak (int): Consecutive skips that stop training.
        divergence_factor (float, optional): How far above its running
            median a loss is flagged; None turns divergence checks off.
            Defaults to 1000.
        divergence_patience (int): Flagged iterations in a row that stop
            training. Defaults to 50.
        divergence_window (int): Values in the running median. Defaults to
            100.
        divergence_floor (float): Smallest median the factor applies to, so
            that a loss near zero (a winning discriminator) may rise back to
            its usual level unflagged. Defaults to 1.
    """

    def __init__(
        self,
        max_streak: int,
        divergence_factor: Optional[float] = 1000.0,
        divergence_patience: int = 50,
        divergence_window: int = 100,
        divergence_floor: float = 1.0,
    ) -> None:
        if max_streak < 1:
            raise ValueError(f'max_nonfinite_streak must be >= 1, but got {max_streak}')
        if divergence_factor is not None and not divergence_factor > 1:
            raise ValueError(
                'divergence_cfg.factor must be > 1 (or None to turn the check '
                f'off), but got {divergence_factor}'
            )
        for key, value in (
            ('patience', divergence_patience),
            ('window', divergence_window),
        ):
            if int(value) != value or value < 1:
                raise ValueError(
                    f'divergence_cfg.{key} must be an integer >= 1, but got {value}'
                )
        if not divergence_floor >= 0:
            raise ValueError(
                f'divergence_cfg.floor must be >= 0, but got {divergence_floor}'
            )
        self.max_streak = int(max_streak)
        self.streak = 0
        self.total = 0
        self.divergence_factor = divergence_factor
        self.divergence_patience = int(divergence_patience)
        self.divergence_window = int(divergence_window)
        self.divergence_floor = float(divergence_floor)
        self._history: Dict[str, Deque[float]] = {}
        self._flagged: Dict[str, int] = {}
        self._flagged_since: Dict[str, int] = {}

    def backward_if_finite(
        self,
        optim: OptimWrapper,
        loss: torch.Tensor,
        terms: Dict[str, torch.Tensor],
        name: str = 'loss',
    ) -> bool:
        """Back-propagate ``loss`` unless it, or its gradients, are non-finite.

        The first half of ``optim.update_params``, with checks: the loss is
        checked on all ranks, scaled for gradient accumulation and
        back-propagated; when an update is due (``optim.should_update()``)
        the gradients are checked on all ranks. On True the caller steps
        when due::

            if guard.backward_if_finite(optim, loss, terms, 'loss_G'):
                if optim.should_update():
                    optim.step()
                    optim.zero_grad()

        On False the update is skipped: gradients cleared, counted and
        reported.

        Args:
            optim (OptimWrapper): The wrapper of the networks ``loss``
                trains.
            loss (Tensor): The scalar loss, the sum of ``terms``.
            terms (dict[str, Tensor]): Its named terms, to say which one is
                non-finite.
            name (str): The loss's name in messages and for divergence
                tracking, e.g. ``'loss_G'``. Defaults to ``'loss'``.

        Returns:
            bool: Whether the update goes ahead.

        Raises:
            RuntimeError: After ``max_streak`` skipped updates in a row, or
                ``divergence_patience`` diverged ones.
        """
        value = loss.detach().float()
        # One collective and one host sync: [any rank non-finite, max |loss|].
        stats = torch.stack([(~torch.isfinite(value)).float(), value.abs()])
        if get_world_size() > 1:
            # Every rank must decide alike, or DDP's all-reduce deadlocks.
            all_reduce(stats, op='max')
        nonfinite, size = stats.tolist()
        if nonfinite:
            bad = [k for k, v in terms.items() if not torch.isfinite(v).all()]
            return self._skip(optim, f'Non-finite loss in {bad or "another rank"}')
        self._watch(name, size)
        optim.backward(optim.scale_loss(loss))
        if optim.should_update():
            bad_grads = self._nonfinite_grads(optim)
            if bad_grads:
                return self._skip(
                    optim,
                    f'Finite {name} but non-finite gradients in {bad_grads} '
                    'parameter tensors (or on another rank)',
                )
        self.streak = 0
        return True

    @staticmethod
    def _nonfinite_grads(optim: OptimWrapper) -> int:
        if getattr(optim, 'loss_scaler', None) and optim.loss_scaler.is_enabled():
            # A loss scaler skips steps with inf/NaN gradients itself (and
            # lowers its scale): they are part of fp16 training.
            return 0
        grads: List[torch.Tensor] = [
            p.grad
            for group in optim.optimizer.param_groups
            for p in group['params']
            if p.grad is not None
        ]
        if not grads:
            return 0
        bad = torch.stack([~torch.isfinite(g).all() for g in grads]).sum().float()
        if get_world_size() > 1:
            all_reduce(bad, op='max')
        return int(bad.item())

    def _skip(self, optim: OptimWrapper, what: str) -> bool:
        self.streak += 1
        self.total += 1
        optim.zero_grad()
        print_log(
            f'{what}: skipped this update ({self.streak} in a row, '
            f'{self.total} in all).',
            logger='current',
            level=logging.WARNING,
        )
        if self.streak >= self.max_streak:
            raise RuntimeError(
                f'{self.streak} iterations in a row had non-finite losses or '
                f'gradients (last: {what}). Training diverged. {resume_advice()}'
            )
        return False

    def _watch(self, name: str, size: float) -> None:
        if self.divergence_factor is None:
            return
        history = self._history.setdefault(name, deque(maxlen=self.divergence_window))
        if history:
            median = statistics.median(history)
            limit = self.divergence_factor * max(median, self.divergence_floor)
            if size > limit:
                flagged = self._flagged[name] = self._flagged.get(name, 0) + 1
                iteration = MessageHub.get_current_instance().get_info('iter', 0) + 1
                if flagged == 1:
                    self._flagged_since[name] = iteration
                    print_log(
                        f'{name} = {size:.3g} at iteration {iteration} is more '
                        f'than {self.divergence_factor:g}x its running median '
                        f'({median:.3g}): training may be diverging; '
                        f'{self.divergence_patience} such iterations in a row '
                        'stop it.',
                        logger='current',
                        level=logging.WARNING,
                    )
                if flagged >= self.divergence_patience:
                    # The first flagged loss came from the weights the
                    # iteration before it had saved.
                    since = self._flagged_since[name] - 1
                    raise RuntimeError(
                        f'{name} stayed above {self.divergence_factor:g}x its '
                        f'running median ({median:.3g}) for {flagged} iterations '
                        f'in a row (now {size:.3g}, iteration {iteration}): '
                        f'training diverged. {resume_advice(since)}'
                    )
                return
        self._flagged[name] = 0
        history.append(size)
