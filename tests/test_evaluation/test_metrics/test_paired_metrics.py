import math

import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmengine.structures import BaseDataElement

from cyclegan_plugin.evaluation import L1, PSNR, SSIM


def pair(fake_b: int, real_b: int, fake_a: int, real_a: int, aligned=True, size=16):
    def flat(value):
        return torch.full((3, size, size), value, dtype=torch.uint8)

    sample = BaseDataElement(
        metainfo=dict(
            img_A_path='facades/1.jpg', img_B_path='facades/1.jpg', aligned=aligned
        )
    )
    sample.fake_B, sample.real_B = flat(fake_b), flat(real_b)
    sample.fake_A, sample.real_A = flat(fake_a), flat(real_a)
    return sample


def test_scores_averaged_per_direction_through_evaluator():
    # AtoB errors 10 and 20 (MSE 100, 400); BtoA errors 51 and 0.
    samples = [pair(110, 100, 51, 0), pair(80, 100, 200, 200)]
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        evaluator = Evaluator([dict(type='PSNR'), dict(type='L1'), dict(type='SSIM')])
    evaluator.process(samples, {})
    scores = evaluator.evaluate(2)
    psnr = [10 * math.log10(255**2 / mse) for mse in (100, 400)]
    assert scores['PSNR-AtoB'] == pytest.approx(sum(psnr) / 2)
    assert scores['PSNR-BtoA'] == math.inf  # one identical pair
    assert scores['L1-AtoB'] == pytest.approx((10 + 20) / 2 / 255)
    assert scores['L1-BtoA'] == pytest.approx(51 / 2 / 255)
    c1 = (0.01 * 255) ** 2
    luminance = (2 * 110 * 100 + c1) / (110**2 + 100**2 + c1)
    luminance_2 = (2 * 80 * 100 + c1) / (80**2 + 100**2 + c1)
    assert scores['SSIM-AtoB'] == pytest.approx((luminance + luminance_2) / 2)
    assert set(scores) == {
        f'{m}-{d}' for m in ('PSNR', 'L1', 'SSIM') for d in ('AtoB', 'BtoA')
    }


def test_single_direction():
    metric = L1(directions=('BtoA',))
    metric.process({}, [pair(0, 255, 10, 20)])
    assert metric.evaluate(1) == {'L1-BtoA': pytest.approx(10 / 255)}


def test_unaligned_data_is_refused():
    with pytest.raises(ValueError, match=r"aligned=True.*'facades/1.jpg'.*FID/KID"):
        PSNR().process({}, [pair(0, 0, 0, 0, aligned=False)])


def test_shape_mismatch_names_fields():
    sample = pair(0, 0, 0, 0)
    sample.fake_B = torch.zeros(3, 8, 8, dtype=torch.uint8)
    with pytest.raises(ValueError, match='fake_B .*real_B'):
        SSIM().process({}, [sample])
