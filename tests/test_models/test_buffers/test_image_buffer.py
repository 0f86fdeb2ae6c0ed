import pytest
import torch

from cyclegan_plugin.registry import MODELS


def _batch(value, n=1):
    return torch.full((n, 3, 2, 2), float(value))


def test_size_zero_returns_input():
    buf = MODELS.build(dict(type='ImageBuffer', buffer_size=0))
    x = torch.randn(2, 3, 2, 2, requires_grad=True)
    out = buf.query(x)
    assert torch.equal(out, x.detach()) and not out.requires_grad
    assert len(buf) == 0


def test_fills_then_mixes_history_per_image():
    buf = MODELS.build(dict(type='ImageBuffer', buffer_size=3, seed=0))
    for v in range(3):  # filling: every image comes straight back
        assert torch.equal(buf.query(_batch(v)), _batch(v))
    assert len(buf) == 3
    seen_old, seen_new = 0, 0
    for v in range(3, 103):
        out = buf.query(_batch(v))
        if out[0, 0, 0, 0].item() == v:
            seen_new += 1
        else:
            seen_old += 1
            assert out[0, 0, 0, 0].item() < v  # an earlier image
        assert len(buf) == 3
    # The authors' rule: a stored image half the time.
    assert 30 < seen_old < 70 and seen_new + seen_old == 100


def test_per_image_in_batch_and_detached_fp32():
    buf = MODELS.build(dict(type='ImageBuffer', buffer_size=4, seed=1))
    x = torch.randn(3, 3, 2, 2, dtype=torch.bfloat16, requires_grad=True)
    out = buf.query(x)
    assert out.dtype == torch.float32 and out.shape == (3, 3, 2, 2)
    assert len(buf) == 3


def test_seeded_and_state_round_trip(tmp_path):
    a = MODELS.build(dict(type='ImageBuffer', buffer_size=5, seed=7))
    for v in range(8):
        a.query(_batch(v, 2))
    path = tmp_path / 'buf.pth'
    torch.save(a.state_dict(), path)
    b = MODELS.build(dict(type='ImageBuffer', buffer_size=5, seed=123))
    b.load_state_dict(torch.load(path, weights_only=True))
    assert len(b) == 5
    for v in range(8, 20):
        assert torch.equal(a.query(_batch(v, 2)), b.query(_batch(v, 2)))


def test_state_larger_than_buffer_is_refused():
    a = MODELS.build(dict(type='ImageBuffer', buffer_size=4, seed=0))
    a.query(_batch(0, 4))
    small = MODELS.build(dict(type='ImageBuffer', buffer_size=2))
    with pytest.raises(ValueError, match='buffer_size'):
        small.load_state_dict(a.state_dict())


def test_bad_args():
    with pytest.raises(ValueError, match='-1'):
        MODELS.build(dict(type='ImageBuffer', buffer_size=-1))
    with pytest.raises(ValueError, match='1.5'):
        MODELS.build(dict(type='ImageBuffer', buffer_ratio=1.5))
