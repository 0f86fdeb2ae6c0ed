"""schedule_fit: a run's length and schedules shortened to a time budget."""

import pytest
import torch
from mmengine.optim.scheduler import CosineAnnealingLR, LinearLR, MultiStepLR

from cyclegan_plugin.engine.runner.schedule_fit import (
    count_validations,
    fit_iterations,
    rescale_schedulers,
    schedule_milestones,
)


def optimizer():
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)


def lr_curve(scheduler, steps):
    values = []
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        values.append(scheduler.optimizer.param_groups[0]['lr'])
    return values


@pytest.mark.parametrize(
    'done, last, interval, expected',
    [
        (0, 100, 10, 10),
        (0, 95, 10, 10),
        (10, 49, 10, 4),
        (5, 5, 10, 0),
        (0, 9, None, 0),
    ],
)
def test_count_validations_counts_multiples_and_the_last_iteration(
    done, last, interval, expected
):
    assert count_validations(done, last, interval) == expected


def test_fit_iterations_is_the_longest_run_that_ends_in_time():
    # 39 iterations of 6 s and 4 validations (20, 30, 40, 49) of 60 s: 474 s.
    assert fit_iterations(10, 100, 474.0, 6.0, 60.0, 10) == 49
    assert fit_iterations(10, 100, 473.9, 6.0, 60.0, 10) == 48
    assert fit_iterations(10, 40, 1e9, 6.0, 60.0, 10) == 40  # never past most
    assert fit_iterations(10, 40, -5.0, 6.0) == 10  # nothing fits


def test_rescaled_linear_decay_equals_one_built_for_the_shorter_run():
    # The recipe's shape: constant, then linear decay to 0 from half the run.
    fitted = LinearLR(
        optimizer(), start_factor=1.0, end_factor=0.0, begin=20, end=40, by_epoch=False
    )
    lr_curve(fitted, 3)
    ahead = rescale_schedulers(schedule_milestones([fitted]), done=3, last=19, most=40)
    assert (fitted.begin, fitted.end, ahead) == (10, 19, 10)
    built = LinearLR(
        optimizer(), start_factor=1.0, end_factor=0.0, begin=10, end=19, by_epoch=False
    )
    lr_curve(built, 3)
    expected = lr_curve(built, 20)
    assert lr_curve(fitted, 20) == pytest.approx(expected)
    assert expected[15] == pytest.approx(0.0) and expected[5] == 1.0


def test_rescale_leaves_begun_schedules_and_says_when_none_is_ahead():
    warmup = LinearLR(optimizer(), start_factor=0.5, begin=0, end=8, by_epoch=False)
    decay = CosineAnnealingLR(optimizer(), T_max=20, begin=20, end=40, by_epoch=False)
    milestones = schedule_milestones({'a': [warmup], 'b': [decay]})
    assert rescale_schedulers(milestones, done=4, last=30, most=40) == 15
    assert (warmup.begin, warmup.end) == (0, 8)
    assert (decay.begin, decay.end, decay.T_max) == (15, 30, 15)
    # Planned again just before the decay, slower: it begins at the next step.
    assert rescale_schedulers(milestones, done=14, last=24, most=40) is None
    assert (decay.begin, decay.end, decay.T_max) == (15, 24, 9)


def test_schedule_milestones_refuses_what_it_cannot_scale_naming_it():
    assert schedule_milestones(None) == []
    steps = MultiStepLR(optimizer(), milestones=[5, 9], by_epoch=False)
    with pytest.raises(TypeError, match='but got MultiStepLR'):
        schedule_milestones([steps])
    by_epoch = LinearLR(optimizer(), begin=1, end=4, by_epoch=True)
    with pytest.raises(TypeError, match='LinearLR counts epochs; set by_epoch=False'):
        schedule_milestones([by_epoch])
    cosine = CosineAnnealingLR(optimizer(), T_max=5, begin=0, end=20, by_epoch=False)
    with pytest.raises(TypeError, match='but got CosineAnnealingLR'):
        schedule_milestones([cosine])
