"""Kernel Inception Distance (Bińkowski et al. 2018), as StyleGAN2-ADA computes it."""

from typing import Tuple

import numpy as np


def kernel_inception_distance(
    features1: np.ndarray,
    features2: np.ndarray,
    num_subsets: int = 100,
    max_subset_size: int = 1000,
    seed: int = 0,
) -> Tuple[float, float]:
    """Unbiased MMD^2 with the kernel ``k(x, y) = (x.y / D + 1)^3``, over subsets.

    Each of ``num_subsets`` rounds draws ``m = min(N1, N2, max_subset_size)`` rows
    from each set without replacement and computes the unbiased estimate; the
    result is the mean (and standard deviation) over rounds.

    Args:
        features1 (np.ndarray): First feature set, shape (N1, D).
        features2 (np.ndarray): Second feature set, shape (N2, D).
        num_subsets (int): Number of random subsets. Defaults to 100.
        max_subset_size (int): Largest subset size. Defaults to 1000.
        seed (int): Seed of the subset sampling, so scores are reproducible.
            Defaults to 0.

    Returns:
        tuple[float, float]: Mean and standard deviation of the estimates.

    Raises:
        ValueError: If the sets have different feature sizes, fewer than 2
            rows, or ``num_subsets < 1``.
    """
    if features1.ndim != 2 or features2.ndim != 2:
        raise ValueError(
            f'KID needs (N, D) arrays, got {features1.shape} and {features2.shape}'
        )
    if features1.shape[1] != features2.shape[1]:
        raise ValueError(
            f'feature sizes differ: {features1.shape[1]} vs {features2.shape[1]}'
        )
    if num_subsets < 1:
        raise ValueError(f'num_subsets must be >= 1, but got {num_subsets}')
    size = min(features1.shape[0], features2.shape[0], max_subset_size)
    if size < 2:
        raise ValueError(
            'KID needs at least 2 images in each set, got '
            f'{features1.shape[0]} and {features2.shape[0]}'
        )
    dim = features1.shape[1]
    features1 = features1.astype(np.float64)
    features2 = features2.astype(np.float64)
    rng = np.random.RandomState(seed)
    estimates = []
    for _ in range(num_subsets):
        x = features1[rng.choice(features1.shape[0], size, replace=False)]
        y = features2[rng.choice(features2.shape[0], size, replace=False)]
        within = (x @ x.T / dim + 1) ** 3 + (y @ y.T / dim + 1) ** 3
        between = (x @ y.T / dim + 1) ** 3
        # Diagonal terms k(x_i, x_i) are left out: that is what makes it unbiased.
        within_sum = within.sum() - np.diag(within).sum()
        estimates.append(
            within_sum / (size * (size - 1)) - 2 * between.sum() / (size * size)
        )
    return float(np.mean(estimates)), float(np.std(estimates))
