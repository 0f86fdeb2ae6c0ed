"""Spread of a score under bootstrap resampling of the samples it is computed on."""

from typing import Callable, Dict, Sequence

import numpy as np

Score = Callable[..., Dict[str, float]]


def bootstrap_std(
    score: Score,
    samples: Sequence[np.ndarray],
    num_samples: int,
    seed: int = 0,
) -> Dict[str, float]:
    """Standard deviation of each score when every sample set is resampled.

    Each round draws, for every set in ``samples``, as many rows as it has
    with replacement, and calls ``score`` on the drawn sets: the spread says
    how much a score depends on which test images happen to be in the set,
    so two models (or a model and a baseline) are told apart only by a larger
    difference. The sets are resampled independently, e.g. generated and
    real features for FID, or the per-image confusion matrices of a
    segmentation score alone.

    Args:
        score (Callable): ``score(*sets) -> {name: value}``.
        samples (Sequence[np.ndarray]): The sets, each with one row per image
            along its first axis.
        num_samples (int): Bootstrap rounds, >= 2.
        seed (int): Seed of the resampling, so spreads are reproducible.
            Defaults to 0.

    Returns:
        dict[str, float]: ``{name: std}`` (ddof=1) for every name of ``score``.

    Raises:
        ValueError: If ``num_samples < 2`` or ``samples`` is empty.
    """
    if num_samples < 2:
        raise ValueError(f'bootstrap needs num_samples >= 2, but got {num_samples}')
    if not samples:
        raise ValueError('bootstrap needs at least one sample set')
    rng = np.random.default_rng(seed)
    rounds = []
    for _ in range(num_samples):
        drawn = [s[rng.integers(0, len(s), len(s))] for s in samples]
        rounds.append(score(*drawn))
    return {
        name: float(np.std([r[name] for r in rounds], ddof=1)) for name in rounds[0]
    }


def check_bootstrap_rounds(rounds: int) -> int:
    """``rounds`` if it is a valid ``bootstrap`` argument of a metric.

    Args:
        rounds (int): 0 (no spread) or the number of bootstrap rounds, >= 2.

    Returns:
        int: ``rounds``.

    Raises:
        ValueError: If ``rounds`` is negative or 1.
    """
    if rounds < 0 or rounds == 1:
        raise ValueError(f'bootstrap must be 0 or >= 2 rounds, but got {rounds}')
    return rounds
