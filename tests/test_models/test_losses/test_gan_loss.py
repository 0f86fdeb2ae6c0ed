import pytest
import torch
import torch.nn.functional as F

from cyclegan_plugin.registry import MODELS


@pytest.fixture
def pred():
    torch.manual_seed(0)
    return torch.randn(2, 1, 6, 6)


def test_lsgan_is_mse_against_label_maps(pred):
    loss = MODELS.build(dict(type='GANLoss', gan_type='lsgan'))
    assert torch.allclose(loss(pred, True), ((pred - 1) ** 2).mean())
    assert torch.allclose(loss(pred, False), (pred**2).mean())


def test_custom_labels_and_weight(pred):
    loss = MODELS.build(
        dict(type='GANLoss', real_label=0.9, fake_label=0.1, loss_weight=2.0)
    )
    assert torch.allclose(loss(pred, True), 2 * ((pred - 0.9) ** 2).mean())
    assert torch.allclose(loss(pred, False), 2 * ((pred - 0.1) ** 2).mean())


def test_vanilla_is_bce_with_logits(pred):
    loss = MODELS.build(dict(type='GANLoss', gan_type='vanilla'))
    expected = F.binary_cross_entropy_with_logits(pred, torch.ones_like(pred))
    assert torch.allclose(loss(pred, True), expected)


def test_wgangp_and_hinge(pred):
    wgan = MODELS.build(dict(type='GANLoss', gan_type='wgangp'))
    assert torch.allclose(wgan(pred, True), -pred.mean())
    assert torch.allclose(wgan(pred, False), pred.mean())
    hinge = MODELS.build(dict(type='GANLoss', gan_type='hinge'))
    assert torch.allclose(hinge(pred, True, is_disc=True), F.relu(1 - pred).mean())
    assert torch.allclose(hinge(pred, False, is_disc=True), F.relu(1 + pred).mean())
    assert torch.allclose(hinge(pred, True, is_disc=False), -pred.mean())


def test_low_precision_prediction_gives_fp32_loss(pred):
    loss = MODELS.build(dict(type='GANLoss'))
    out = loss(pred.bfloat16(), True)
    assert out.dtype == torch.float32


def test_unknown_gan_type_names_value():
    with pytest.raises(ValueError, match="'wgan'"):
        MODELS.build(dict(type='GANLoss', gan_type='wgan'))
