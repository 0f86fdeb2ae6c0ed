"""Fréchet distance between Gaussians fitted to feature sets (the FID formula)."""

from typing import Tuple

import numpy as np


def feature_statistics(features: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of a feature set, as pytorch-fid computes them.

    Args:
        features (np.ndarray): Features of shape (N, D), N >= 2.

    Returns:
        tuple[np.ndarray, np.ndarray]: The mean (D,) and the unbiased covariance
        (D, D), both float64.

    Raises:
        ValueError: If ``features`` is not 2-D or holds fewer than 2 rows.
    """
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError(
            'feature statistics need an (N, D) array with N >= 2, '
            f'but got shape {features.shape}'
        )
    features = features.astype(np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """``trace(sqrtm(sigma1 @ sigma2))`` for covariance matrices.

    sigma1 @ sigma2 has the eigenvalues of the symmetric PSD matrix
    ``s @ sigma2 @ s`` with ``s = sqrtm(sigma1)``, so symmetric eigensolvers give
    the trace without the complex round-off of a general ``scipy.linalg.sqrtm``
    (which pytorch-fid must clean up), and faster.
    """
    eigvals, eigvecs = np.linalg.eigh(sigma1)
    sqrt_sigma1 = (eigvecs * np.sqrt(np.clip(eigvals, 0, None))) @ eigvecs.T
    product = sqrt_sigma1 @ sigma2 @ sqrt_sigma1
    product_eigvals = np.linalg.eigvalsh((product + product.T) / 2)
    return float(np.sqrt(np.clip(product_eigvals, 0, None)).sum())


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray
) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2).

    ``|mu1 - mu2|^2 + tr(sigma1 + sigma2 - 2 sqrtm(sigma1 sigma2))`` (Heusel et al.
    2017), the quantity pytorch-fid reports as FID.

    Args:
        mu1 (np.ndarray): Mean of the first set, shape (D,).
        sigma1 (np.ndarray): Covariance of the first set, shape (D, D).
        mu2 (np.ndarray): Mean of the second set, shape (D,).
        sigma2 (np.ndarray): Covariance of the second set, shape (D, D).

    Returns:
        float: The distance (>= 0 up to round-off).

    Raises:
        ValueError: If the shapes do not match.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    dim = mu1.shape[0]
    if mu2.shape != (dim,) or sigma1.shape != (dim, dim) or sigma2.shape != (dim, dim):
        raise ValueError(
            f'statistics do not match: got mu1 {mu1.shape}, sigma1 '
            f'{sigma1.shape}, mu2 {mu2.shape}, sigma2 {sigma2.shape}'
        )
    mean_term = float(np.square(mu1 - mu2).sum())
    trace_term = float(np.trace(sigma1) + np.trace(sigma2))
    return mean_term + trace_term - 2 * _trace_sqrt_product(sigma1, sigma2)


def frechet_distance_of_features(features1: np.ndarray, features2: np.ndarray) -> float:
    """FID of two feature sets, equal to ``frechet_distance`` of their statistics.

    With fewer images than feature dimensions (test sets of a few hundred
    images against 2048-d Inception features) the covariances have low rank:
    ``tr(sqrtm(sigma1 sigma2))`` is the sum of the singular values of
    ``X1 @ X2.T`` (centred rows scaled by ``1/sqrt(N - 1)``), an (N1, N2)
    problem instead of two (D, D) eigendecompositions. That makes bootstrap
    resampling of a test set affordable. Larger sets use the covariances.

    Args:
        features1 (np.ndarray): First feature set (N1, D), N1 >= 2.
        features2 (np.ndarray): Second feature set (N2, D), N2 >= 2.

    Returns:
        float: The distance (>= 0 up to round-off).

    Raises:
        ValueError: If a set is not 2-D, has fewer than 2 rows, or the feature
            dimensions differ.
    """
    for features in (features1, features2):
        if features.ndim != 2 or features.shape[0] < 2:
            raise ValueError(
                'FID needs (N, D) feature arrays with N >= 2, '
                f'but got shape {features.shape}'
            )
    if features1.shape[1] != features2.shape[1]:
        raise ValueError(
            f'feature dimensions differ: {features1.shape[1]} and {features2.shape[1]}'
        )
    if max(features1.shape[0], features2.shape[0]) > features1.shape[1]:
        stats1, stats2 = feature_statistics(features1), feature_statistics(features2)
        return frechet_distance(*stats1, *stats2)
    x1, x2 = (f.astype(np.float64) for f in (features1, features2))
    mean_term = float(np.square(x1.mean(axis=0) - x2.mean(axis=0)).sum())
    x1 = (x1 - x1.mean(axis=0)) / np.sqrt(x1.shape[0] - 1)
    x2 = (x2 - x2.mean(axis=0)) / np.sqrt(x2.shape[0] - 1)
    trace_term = float(np.square(x1).sum() + np.square(x2).sum())
    nuclear_norm = float(np.linalg.svd(x1 @ x2.T, compute_uv=False).sum())
    return mean_term + trace_term - 2 * nuclear_norm
