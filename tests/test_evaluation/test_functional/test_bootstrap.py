import numpy as np
import pytest

from cyclegan_plugin.evaluation.functional import bootstrap_std


def mean_difference(a: np.ndarray, b: np.ndarray) -> dict:
    return dict(diff=float(a.mean() - b.mean()), const=1.0)


def test_spread_of_a_mean_difference_matches_its_standard_error():
    # Var(mean(a*) - mean(b*)) = var(a)/n_a + var(b)/n_b for resampled means.
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 1)), rng.normal(scale=2.0, size=(300, 1))
    expected = np.sqrt(a.var() / len(a) + b.var() / len(b))
    spread = bootstrap_std(mean_difference, (a, b), num_samples=2000, seed=1)
    assert spread['diff'] == pytest.approx(expected, rel=0.05)
    assert spread['const'] == 0.0


def test_reproducible_by_seed_and_checked():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(20, 2)), rng.normal(size=(25, 2))
    first = bootstrap_std(mean_difference, (a, b), 10, seed=5)
    assert first == bootstrap_std(mean_difference, (a, b), 10, seed=5)
    assert first != bootstrap_std(mean_difference, (a, b), 10, seed=6)
    with pytest.raises(ValueError, match='num_samples >= 2'):
        bootstrap_std(mean_difference, (a, b), 1)


def test_one_set_resampled_alone():
    # The spread of a mean over one resampled set is its standard error.
    values = np.random.default_rng(4).normal(size=(500, 1))
    spread = bootstrap_std(lambda v: dict(mean=float(v.mean())), (values,), 2000)
    assert spread['mean'] == pytest.approx(values.std() / np.sqrt(500), rel=0.05)
    with pytest.raises(ValueError, match='at least one sample set'):
        bootstrap_std(mean_difference, (), 10)
