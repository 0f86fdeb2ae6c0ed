import pytest
import torch

from cyclegan_plugin.registry import MODELS


def test_weighted_l1():
    loss = MODELS.build(dict(type='L1Loss', loss_weight=10.0))
    a, b = torch.zeros(1, 3, 4, 4), torch.full((1, 3, 4, 4), 0.5)
    assert loss(a, b).item() == pytest.approx(5.0)
    total = MODELS.build(dict(type='L1Loss', reduction='sum'))
    assert total(a, b).item() == pytest.approx(0.5 * 48)


def test_shape_mismatch_and_bad_args():
    loss = MODELS.build(dict(type='L1Loss'))
    with pytest.raises(ValueError, match=r'\(1, 3, 4, 4\)'):
        loss(torch.zeros(1, 3, 4, 4), torch.zeros(1, 3, 2, 2))
    with pytest.raises(ValueError, match='loss_weight'):
        MODELS.build(dict(type='L1Loss', loss_weight=-1))
    with pytest.raises(ValueError, match="'max'"):
        MODELS.build(dict(type='L1Loss', reduction='max'))
