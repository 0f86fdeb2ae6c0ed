"""Spread of a two-sample score under bootstrap resampling of both samples."""

from typing import Callable, Dict

import numpy as np

Score = Callable[[np.ndarray, np.ndarray], Dict[str, float]]


def bootstrap_std(
    score: Score,
    features1: np.ndarray,
    features2: np.ndarray,
    num_samples: int,
    seed: int = 0,
) -> Dict[str, float]:
    """Standard deviation of each score when both image sets are resampled.

    Each round draws N1 rows of ``features1`` and N2 rows of ``features2`` with
    replacement and scores them: the spread says how much a score depends on
    which test images happen to be in the set, so two models (or a model and a
    baseline) are told apart only by a larger difference.

    Args:
        score (Callable): ``score(features1, features2) -> {name: value}``.
        features1 (np.ndarray): First set (N1, D).
        features2 (np.ndarray): Second set (N2, D).
        num_samples (int): Bootstrap rounds, >= 2.
        seed (int): Seed of the resampling, so spreads are reproducible.
            Defaults to 0.

    Returns:
        dict[str, float]: ``{name: std}`` (ddof=1) for every name of ``score``.

    Raises:
        ValueError: If ``num_samples < 2``.
    """
    if num_samples < 2:
        raise ValueError(f'bootstrap needs num_samples >= 2, but got {num_samples}')
    rng = np.random.default_rng(seed)
    rounds = []
    for _ in range(num_samples):
        rows1 = rng.integers(0, len(features1), len(features1))
        rows2 = rng.integers(0, len(features2), len(features2))
        rounds.append(score(features1[rows1], features2[rows2]))
    return {
        name: float(np.std([r[name] for r in rounds], ddof=1)) for name in rounds[0]
    }
