"""PatchSampleF: shapes, shared locations, unit vectors, init, bad input."""

import pytest
import torch

from cyclegan_plugin.registry import MODELS


def _sampler(**kwargs):
    cfg = dict(type='PatchSampleF', in_channels=[3, 8], num_channels=16, **kwargs)
    sampler = MODELS.build(cfg)
    sampler.init_weights()
    return sampler


def test_samples_are_unit_vectors_at_shared_locations():
    torch.manual_seed(0)
    sampler = _sampler()
    feats = [torch.randn(2, 3, 10, 10), torch.randn(2, 8, 4, 4)]
    out, ids = sampler(feats, num_patches=20)
    assert [o.shape for o in out] == [(2, 20, 16), (2, 16, 16)]  # 4x4 has 16
    assert [i.shape for i in ids] == [(20,), (16,)]
    # Up to the authors' epsilon (1e-7 added to small norms).
    torch.testing.assert_close(
        out[0].norm(dim=-1), torch.ones(2, 20), atol=1e-3, rtol=0
    )
    again, ids2 = sampler(feats, num_patches=20, patch_ids=ids)
    assert all(a.equal(b) for a, b in zip(ids, ids2))
    torch.testing.assert_close(again[0], out[0])


def test_without_heads_the_features_are_sampled_as_they_are():
    sampler = _sampler(use_mlp=False)
    assert not list(sampler.parameters())
    feat = torch.randn(1, 3, 4, 4)
    out, ids = sampler([feat, torch.randn(1, 8, 4, 4)], num_patches=5)
    picked = feat.flatten(2)[0, :, ids[0]].T
    torch.testing.assert_close(
        out[0][0], picked / picked.norm(dim=1, keepdim=True), atol=1e-6, rtol=0
    )


def test_heads_exist_from_construction_with_the_authors_init():
    torch.manual_seed(0)
    sampler = MODELS.build(
        dict(type='PatchSampleF', in_channels=[64] * 3, num_channels=256)
    )
    sampler.init_weights()
    keys = list(sampler.state_dict())
    assert keys[:4] == [
        'mlps.0.0.weight',
        'mlps.0.0.bias',
        'mlps.0.2.weight',
        'mlps.0.2.bias',
    ]
    weights = torch.cat(
        [
            m.weight.flatten()
            for m in sampler.modules()
            if isinstance(m, torch.nn.Linear)
        ]
    )
    assert weights.std().item() == pytest.approx(0.02, rel=0.05)
    assert all(
        m.bias.abs().max() == 0
        for m in sampler.modules()
        if isinstance(m, torch.nn.Linear)
    )


def test_bad_input_raises():
    with pytest.raises(ValueError, match='in_channels'):
        MODELS.build(dict(type='PatchSampleF', in_channels=[]))
    with pytest.raises(ValueError, match='needs 2 feature maps'):
        _sampler()([torch.randn(1, 3, 4, 4)])
    with pytest.raises(ValueError, match='num_patches=0'):
        _sampler()([torch.randn(1, 3, 4, 4), torch.randn(1, 8, 4, 4)], num_patches=0)
