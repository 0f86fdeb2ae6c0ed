"""Shortening an iteration-based run and its schedule to fit a time budget."""

from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.optim.scheduler import (
    ConstantParamScheduler,
    CosineAnnealingParamScheduler,
    LinearParamScheduler,
    PolyParamScheduler,
)
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler

# Schedulers whose shape is fixed by begin and end alone; their lengths
# derived from them are recomputed after a move (see rescale_schedulers).
_LENGTH_FROM_ENDS = (
    ConstantParamScheduler,
    LinearParamScheduler,
    PolyParamScheduler,
)

#: A scheduler with the ``begin`` and ``end`` its config gave it.
Milestones = Tuple[_ParamScheduler, int, int]


def count_validations(done: int, last: int, val_interval: Optional[int]) -> int:
    """Validations an ``IterBasedTrainLoop`` runs after ``done`` up to ``last``.

    The loop validates at every multiple of ``val_interval`` and at its last
    iteration.

    Args:
        done (int): Iterations trained so far.
        last (int): The run's last iteration (``max_iters``).
        val_interval (int, optional): The loop's interval; None when the run
            has no validation.

    Returns:
        int: The number of validations still to come.
    """
    if not val_interval or last <= done:
        return 0
    count = last // val_interval - done // val_interval
    return count + (1 if last % val_interval else 0)


def fit_iterations(
    done: int,
    most: int,
    seconds_left: float,
    seconds_per_iter: float,
    seconds_per_val: float = 0.0,
    val_interval: Optional[int] = None,
) -> int:
    """The longest run (at most ``most`` iterations) that ends in time.

    Args:
        done (int): Iterations trained so far.
        most (int): The configured ``max_iters``, never exceeded.
        seconds_left (float): Time left in the budget.
        seconds_per_iter (float): Measured time of a training iteration.
        seconds_per_val (float): Measured time of a validation.
        val_interval (int, optional): The loop's validation interval.

    Returns:
        int: The number of iterations for the whole run, >= ``done``.
    """

    def cost(last: int) -> float:
        validations = count_validations(done, last, val_interval)
        return (last - done) * seconds_per_iter + validations * seconds_per_val

    low, high = done, most  # cost(low) == 0 <= seconds_left, or nothing fits
    while low < high:
        middle = (low + high + 1) // 2
        if cost(middle) <= seconds_left:
            low = middle
        else:
            high = middle - 1
    return low


def schedule_milestones(
    schedulers: Union[None, Sequence, Dict[str, Sequence]],
) -> List[Milestones]:
    """Every scheduler of a runner with its configured ``begin`` and ``end``.

    Args:
        schedulers: ``runner.param_schedulers``: a list, or a dict of lists
            (one per optimizer of an ``OptimWrapperDict``).

    Returns:
        list[tuple]: ``(scheduler, begin, end)`` per scheduler.

    Raises:
        TypeError: If a scheduler counts epochs, or its shape depends on
            more than its ``begin`` and ``end`` (e.g. ``MultiStepLR``), so
            that moving them would not scale it.
    """
    if not schedulers:
        return []
    groups = schedulers.values() if isinstance(schedulers, dict) else [schedulers]
    milestones = []
    for scheduler in (s for group in groups for s in group):
        name = type(scheduler).__name__
        if scheduler.by_epoch:
            raise TypeError(
                f'fit_schedule shortens iteration-based schedules, but {name} '
                'counts epochs; set by_epoch=False in param_scheduler'
            )
        cosine = isinstance(scheduler, CosineAnnealingParamScheduler)
        if not (isinstance(scheduler, _LENGTH_FROM_ENDS) or cosine) or (
            cosine and scheduler.T_max != scheduler.end - scheduler.begin
        ):
            raise TypeError(
                f'fit_schedule scales the begin and end of LinearLR, PolyLR, '
                f'ConstantLR and CosineAnnealingLR (without T_max), but got '
                f'{name}; use one of those or drop fit_schedule'
            )
        milestones.append((scheduler, scheduler.begin, scheduler.end))
    return milestones


def rescale_schedulers(
    milestones: Sequence[Milestones], done: int, last: int, most: int
) -> Optional[int]:
    """Move the schedules that have not begun so the run ends at ``last``.

    Each configured milestone ``m`` becomes ``m * last / most``, but not
    before the next iteration: a schedule keeps its shape relative to the
    run's length. Schedules already begun are left as they are, since moving
    their ends would bend the curve they are on.

    Args:
        milestones: From :func:`schedule_milestones`.
        done (int): Iterations trained so far (the schedulers' step count).
        last (int): The run's new last iteration.
        most (int): The configured ``max_iters``.

    Returns:
        int, optional: The earliest ``begin`` still ahead (after the next
        step), or None when every schedule has begun.
    """
    ratio = last / most
    ahead = []
    for scheduler, begin, end in milestones:
        if scheduler.begin <= done:
            continue
        scheduler.begin = max(done + 1, round(begin * ratio))
        if end < INF:
            scheduler.end = max(scheduler.begin + 1, round(end * ratio))
        if isinstance(scheduler, _LENGTH_FROM_ENDS):
            scheduler.total_iters = scheduler.end - scheduler.begin - 1
        else:
            scheduler.T_max = scheduler.end - scheduler.begin
        if scheduler.begin > done + 1:
            ahead.append(scheduler.begin)
    return min(ahead, default=None)
