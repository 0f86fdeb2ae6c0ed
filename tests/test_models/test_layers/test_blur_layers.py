"""BlurDownsample and BlurUpsample: sizes, constants, filters, bad input."""

import pytest
import torch

from cyclegan_plugin.models.layers import BlurDownsample, BlurUpsample, binomial_filter
from cyclegan_plugin.registry import MODELS


def test_binomial_filter_rows_of_pascals_triangle():
    torch.testing.assert_close(
        binomial_filter(3), torch.tensor([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0
    )
    assert binomial_filter(4).sum().item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match='1..7, but got 8'):
        binomial_filter(8)


@pytest.mark.parametrize('size', [8, 9, 32])
def test_downsample_halves_and_keeps_constants(size):
    layer = BlurDownsample(3)
    x = torch.full((2, 3, size, size), 0.7)
    y = layer(x)
    assert y.shape == (2, 3, (size + 1) // 2, (size + 1) // 2)
    torch.testing.assert_close(y, torch.full_like(y, 0.7))


def test_upsample_doubles_and_keeps_constants():
    y = BlurUpsample(4)(torch.full((1, 4, 5, 7), -0.3))
    assert y.shape == (1, 4, 10, 14)
    torch.testing.assert_close(y, torch.full_like(y, -0.3))


def test_filters_stay_out_of_the_state_dict_and_follow_the_device():
    layer = MODELS.build(dict(type='BlurDownsample', channels=2))
    assert not layer.state_dict()
    assert layer.filt.shape == (2, 1, 3, 3)
    assert BlurUpsample(2).double()(
        torch.zeros(1, 2, 4, 4, dtype=torch.double)
    ).dtype == (torch.double)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match='channels=0'):
        BlurDownsample(0)
    with pytest.raises(ValueError, match="'circular'"):
        BlurDownsample(3, padding_mode='circular')
    with pytest.raises(ValueError, match='got 0'):
        BlurUpsample(0)
