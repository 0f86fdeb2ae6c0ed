import math

import pytest
import torch

from cyclegan_plugin.evaluation.functional import l1_distance, psnr, ssim


def constant(value: int, size: int = 16) -> torch.Tensor:
    return torch.full((3, size, size), value, dtype=torch.uint8)


def test_psnr_of_constant_offset_is_exact():
    # MSE = 10^2 = 100 everywhere.
    assert psnr(constant(100), constant(110)) == pytest.approx(
        10 * math.log10(255**2 / 100)
    )
    assert psnr(constant(7), constant(7)) == math.inf


def test_l1_on_unit_scale():
    assert l1_distance(constant(0), constant(51)) == pytest.approx(0.2)
    image = torch.randint(0, 256, (3, 8, 8), dtype=torch.uint8)
    assert l1_distance(image, image) == 0


def test_ssim_identical_is_one_and_constants_give_luminance_term():
    image = torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8)
    assert ssim(image, image) == pytest.approx(1.0)
    # Two flat images: no variance, so SSIM is the luminance term alone.
    c1 = (0.01 * 255) ** 2
    expected = (2 * 100 * 150 + c1) / (100**2 + 150**2 + c1)
    assert ssim(constant(100), constant(150)) == pytest.approx(expected)


def test_ssim_drops_with_noise():
    generator = torch.Generator().manual_seed(0)
    ramp = torch.linspace(40, 200, 32).round().to(torch.uint8)
    image = ramp.expand(3, 32, 32)
    noise = torch.randint(-40, 41, image.shape, generator=generator)
    noisy = (image.int() + noise).clamp(0, 255).to(torch.uint8)
    assert 0 < ssim(image, noisy) < 0.95


def test_rejects_mismatched_or_float_images_and_tiny_ssim_input():
    with pytest.raises(ValueError, match='same'):
        psnr(constant(0, 16), constant(0, 8))
    with pytest.raises(TypeError, match='uint8'):
        l1_distance(constant(0).float(), constant(0).float())
    with pytest.raises(ValueError, match='at least 11x11'):
        ssim(constant(0, 8), constant(0, 8))
