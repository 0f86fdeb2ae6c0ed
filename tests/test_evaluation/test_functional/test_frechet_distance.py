import numpy as np
import pytest
import scipy.linalg

from cyclegan_plugin.evaluation.functional import (
    feature_statistics,
    frechet_distance,
    frechet_distance_of_features,
)


def scipy_frechet(x: np.ndarray, y: np.ndarray) -> float:
    """pytorch-fid's formula, written independently with scipy's sqrtm."""
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def test_matches_scipy_sqrtm_on_random_features():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8))
    y = rng.normal(size=(50, 8)) @ rng.normal(size=(8, 8)) * 0.5 + 0.3
    got = frechet_distance(*feature_statistics(x), *feature_statistics(y))
    assert got == pytest.approx(scipy_frechet(x, y), rel=1e-9)


def test_one_dimensional_gaussians_exact():
    # N(0, 1) vs N(1, 4): (0 - 1)^2 + 1 + 4 - 2 * sqrt(1 * 4) = 2.
    got = frechet_distance(
        np.zeros(1), np.ones((1, 1)), np.ones(1), np.full((1, 1), 4.0)
    )
    assert got == pytest.approx(2.0)


def test_same_set_is_zero_even_when_rank_deficient():
    # 5 samples in 16 dimensions: singular covariance, as with few test images.
    x = np.random.default_rng(1).normal(size=(5, 16))
    stats = feature_statistics(x)
    # sqrt of the round-off in the null space leaves ~1e-7 of a trace of ~10.
    assert abs(frechet_distance(*stats, *stats)) < 1e-6 * np.trace(stats[1])


def test_rejects_mismatched_shapes_and_too_few_samples():
    with pytest.raises(ValueError, match='do not match'):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match='N >= 2'):
        feature_statistics(np.zeros((1, 4)))


@pytest.mark.parametrize('sizes', [((30, 64), (40, 64)), ((90, 16), (70, 16))])
def test_of_features_equals_the_statistics_formula(sizes):
    # (30, 40) images of 64-d features: the low-rank sample-space path;
    # (90, 70) of 16-d: more images than dimensions, the covariance path.
    rng = np.random.default_rng(2)
    x = rng.normal(size=sizes[0])
    y = rng.normal(size=sizes[1]) * 1.5 + 0.2
    got = frechet_distance_of_features(x, y)
    # With singular covariances (sizes0) the (D, D) routes take square roots
    # of round-off eigenvalues, which moves them by ~1e-8 relative.
    assert got == pytest.approx(scipy_frechet(x, y), rel=1e-7)
    stats = feature_statistics(x), feature_statistics(y)
    assert got == pytest.approx(frechet_distance(*stats[0], *stats[1]), rel=1e-7)
    assert frechet_distance_of_features(x, x) == pytest.approx(0.0, abs=1e-8)


def test_of_features_rejects_bad_sets():
    with pytest.raises(ValueError, match='N >= 2'):
        frechet_distance_of_features(np.zeros((1, 4)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match='dimensions differ'):
        frechet_distance_of_features(np.zeros((3, 4)), np.zeros((3, 5)))
