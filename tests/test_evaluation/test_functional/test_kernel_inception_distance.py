import numpy as np
import pytest

from cyclegan_plugin.evaluation.functional import kernel_inception_distance


def brute_force_mmd(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3, by explicit double sums."""
    d = x.shape[1]

    def k(a, b):
        return (a @ b / d + 1) ** 3

    m = len(x)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m))
    return xx / (m * (m - 1)) + yy / (m * (m - 1)) - 2 * xy / m**2


def test_whole_set_subset_equals_brute_force():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(7, 5)), rng.normal(size=(7, 5)) + 0.5
    # One subset of the full size is a permutation: MMD does not depend on order.
    mean, std = kernel_inception_distance(x, y, num_subsets=1)
    assert mean == pytest.approx(brute_force_mmd(x, y), rel=1e-10)
    assert std == 0


def test_same_distribution_near_zero_and_shift_positive():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(200, 4)), rng.normal(size=(200, 4))
    same, _ = kernel_inception_distance(x, y, num_subsets=20, max_subset_size=100)
    shifted, _ = kernel_inception_distance(x, y + 1, num_subsets=20)
    assert abs(same) < 0.05 * shifted
    assert shifted > 0


def test_seeded_and_reproducible():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(30, 4)), rng.normal(size=(40, 4))
    first = kernel_inception_distance(x, y, num_subsets=5, max_subset_size=10)
    again = kernel_inception_distance(x, y, num_subsets=5, max_subset_size=10)
    assert first == again


@pytest.mark.parametrize(
    'x, y, kwargs, message',
    [
        (np.zeros((1, 3)), np.zeros((5, 3)), {}, 'at least 2'),
        (np.zeros((4, 3)), np.zeros((4, 2)), {}, 'feature sizes differ'),
        (np.zeros((4, 3)), np.zeros((4, 3)), dict(num_subsets=0), 'num_subsets'),
    ],
)
def test_rejects_bad_input(x, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        kernel_inception_distance(x, y, **kwargs)
