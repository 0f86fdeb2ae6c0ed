import numpy as np
import pytest
import scipy.linalg
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmengine.structures import BaseDataElement

from cyclegan_plugin.evaluation import FID, KID, InceptionFeatureExtractor
from cyclegan_plugin.evaluation.functional import kernel_inception_distance
from cyclegan_plugin.registry import METRICS


def make_samples(count: int, seed: int = 0, repeat_real_b: int = 0) -> list:
    """val_step-like outputs; B is brighter than A so directions differ."""
    generator = torch.Generator().manual_seed(seed)

    def image(low: int) -> torch.Tensor:
        return torch.randint(
            low, 256, (3, 32, 32), dtype=torch.uint8, generator=generator
        )

    samples = []
    for i in range(count):
        b_index = i % (count - repeat_real_b)
        sample = BaseDataElement(
            metainfo=dict(
                img_A_path=f'testA/{i}.jpg',
                img_B_path=f'testB/{b_index}.jpg',
                aligned=False,
            )
        )
        sample.real_A, sample.fake_A = image(0), image(40)
        sample.real_B, sample.fake_B = image(100), image(60)
        samples.append(sample)
    if repeat_real_b:
        for sample in samples[count - repeat_real_b :]:
            first = samples[int(sample.img_B_path.split('/')[1][:-4])]
            sample.real_B = first.real_B.clone()
    return samples


def scipy_fid(x: np.ndarray, y: np.ndarray) -> float:
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((x.mean(0) - y.mean(0)) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def run(metric, samples, batch=2) -> dict:
    for start in range(0, len(samples), batch):
        metric.process({}, samples[start : start + batch])
    return metric.evaluate(len(samples))


def test_fid_both_directions_match_independent_computation(fake_weights):
    samples = make_samples(24)
    fid = FID(weights=fake_weights, batch_size=4, cache_dir=None, device='cpu')
    scores = run(fid, samples)
    extractor = InceptionFeatureExtractor(fake_weights, device='cpu')
    for direction, fake, real in (
        ('AtoB', 'fake_B', 'real_B'),
        ('BtoA', 'fake_A', 'real_A'),
    ):
        x = extractor([s.get(fake) for s in samples])
        y = extractor([s.get(real) for s in samples])
        assert scores[f'FID-{direction}'] == pytest.approx(scipy_fid(x, y), rel=1e-5)
    assert scores['FID-AtoB'] != pytest.approx(scores['FID-BtoA'])


def test_repeated_files_count_once(fake_weights):
    # A test set cycled to the other domain's length repeats some B files.
    cycled = make_samples(24, repeat_real_b=4)
    fid = FID(directions='AtoB', weights=fake_weights, cache_dir=None, device='cpu')
    scores = run(fid, cycled)
    extractor = InceptionFeatureExtractor(fake_weights, device='cpu')
    x = extractor([s.fake_B for s in cycled])
    y = extractor([s.real_B for s in cycled[:20]])
    assert scores == {'FID-AtoB': pytest.approx(scipy_fid(x, y), rel=1e-5)}


def test_real_features_cached_on_disk_and_reused(fake_weights, tmp_path):
    samples = make_samples(12)
    cfg = dict(
        type='FID',
        directions=('AtoB',),
        weights=fake_weights,
        cache_dir=str(tmp_path),
        device='cpu',
    )
    first = run(METRICS.build(cfg), samples)
    (npz,) = tmp_path.glob('*.npz')
    with np.load(npz) as data:
        assert sorted(data['names']) == sorted(s.img_B_path for s in samples)
        names, features = data['names'], data['features']
    # Prove the second run reads the file: doctor it and see the score move.
    np.savez(npz, names=names, features=features + 1.0)
    second = run(METRICS.build(cfg), samples)
    assert second['FID-AtoB'] != pytest.approx(first['FID-AtoB'])
    # Different real pixels (another test pipeline) give a new key, not stale data.
    changed = make_samples(12, seed=1)
    run(METRICS.build(cfg), changed)
    assert len(list(tmp_path.glob('*.npz'))) == 2


def test_no_cache_without_paths(fake_weights, tmp_path):
    samples = make_samples(6)
    for sample in samples:
        sample.set_metainfo(dict(img_A_path=None, img_B_path=None))
    run(FID(weights=fake_weights, cache_dir=str(tmp_path), device='cpu'), samples)
    assert list(tmp_path.iterdir()) == []


def test_kid_through_evaluator_with_fid(fake_weights):
    samples = make_samples(16)
    common = dict(weights=fake_weights, cache_dir=None, device='cpu')
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        evaluator = Evaluator(
            [
                dict(type='FID', **common),
                dict(type='KID', num_subsets=10, max_subset_size=8, **common),
            ]
        )
    for start in range(0, 16, 4):
        evaluator.process(samples[start : start + 4], {})
    scores = evaluator.evaluate(16)
    assert set(scores) == {
        'FID-AtoB',
        'FID-BtoA',
        'KID-AtoB',
        'KID-AtoB-std',
        'KID-BtoA',
        'KID-BtoA-std',
    }
    extractor = InceptionFeatureExtractor(fake_weights, device='cpu')
    x = extractor([s.fake_B for s in samples])
    y = extractor([s.real_B for s in samples])
    expected = kernel_inception_distance(x, y, num_subsets=10, max_subset_size=8)
    assert (scores['KID-AtoB'], scores['KID-AtoB-std']) == pytest.approx(expected)


def test_bootstrap_spread_of_each_score(fake_weights):
    samples = make_samples(16)
    common = dict(weights=fake_weights, cache_dir=None, device='cpu')
    fid = run(FID(bootstrap=20, **common), samples)
    kid = run(KID(bootstrap=20, num_subsets=5, max_subset_size=8, **common), samples)
    # The scores themselves are those without resampling.
    assert fid['FID-AtoB'] == run(FID(**common), samples)['FID-AtoB']
    assert set(fid) == {'FID-AtoB', 'FID-BtoA'} | {
        f'FID-{d}-bootstrap-std' for d in ('AtoB', 'BtoA')
    }
    assert {'KID-AtoB-bootstrap-std', 'KID-BtoA-bootstrap-std'} <= set(kid)
    assert 'KID-AtoB-std-bootstrap-std' not in kid
    for scores in (fid, kid):
        spreads = [v for k, v in scores.items() if k.endswith('bootstrap-std')]
        assert all(0 < v < float('inf') for v in spreads)


def test_clear_errors(fake_weights):
    with pytest.raises(ValueError, match='directions'):
        FID(directions=('AtoB', 'sideways'))
    with pytest.raises(ValueError, match='batch_size'):
        FID(batch_size=0)
    with pytest.raises(ValueError, match='num_subsets'):
        KID(num_subsets=0)
    with pytest.raises(ValueError, match='bootstrap'):
        FID(bootstrap=1)
    sample = make_samples(2)[0]
    del sample.fake_A
    with pytest.raises(KeyError, match="'fake_A'.*directions="):
        FID(weights=fake_weights).process({}, [sample])
    sample = make_samples(2)[0]
    sample.fake_B = sample.fake_B.float()
    with pytest.raises(TypeError, match='uint8'):
        FID(weights=fake_weights).process({}, [sample])
    with pytest.raises(ValueError, match='at least 2'):
        run(
            FID(weights=fake_weights, cache_dir=None, device='cpu'), make_samples(2)[:1]
        )
