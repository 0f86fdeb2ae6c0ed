"""RandomPairing: a pure function of (seed, rank, worker, index, visit)."""

import pytest
import torch

from cyclegan_plugin.datasets import RandomPairing


def test_same_seed_same_pairs_and_visits_draw_anew():
    first, second = RandomPairing(seed=7), RandomPairing(seed=7)
    draws = [first.pick(3, 100) for _ in range(20)]
    assert draws == [second.pick(3, 100) for _ in range(20)]
    assert len(set(draws)) > 5  # not one fixed partner
    assert all(0 <= d < 100 for d in draws)
    assert draws != [RandomPairing(seed=8).pick(3, 100) for _ in range(20)]


def test_order_of_other_indices_does_not_matter():
    pairing = RandomPairing(seed=1)
    alone = pairing.pick(5, 1000)
    other = RandomPairing(seed=1)
    other.pick(0, 1000)
    other.pick(9, 1000)
    assert other.pick(5, 1000) == alone


def test_seed_none_follows_torch_seed():
    torch.manual_seed(123)
    a = [RandomPairing().pick(i, 1000) for i in range(10)]
    torch.manual_seed(123)
    b = [RandomPairing().pick(i, 1000) for i in range(10)]
    torch.manual_seed(124)
    c = [RandomPairing().pick(i, 1000) for i in range(10)]
    assert a == b and a != c


def test_state_dict_resumes_the_sequence():
    pairing = RandomPairing(seed=3)
    for i in range(5):
        pairing.pick(i % 2, 50)
    state = pairing.state_dict()
    expected = [pairing.pick(i % 2, 50) for i in range(10)]
    resumed = RandomPairing(seed=3)
    resumed.load_state_dict(state)
    assert [resumed.pick(i % 2, 50) for i in range(10)] == expected
    with pytest.raises(ValueError, match='seed'):
        RandomPairing(seed=4).load_state_dict(state)
