import numpy as np

from cyclegan_plugin.evaluation import FeatureCache


def test_round_trip_in_requested_order(tmp_path):
    cache = FeatureCache(str(tmp_path / 'cache'))
    names = ['b.png', 'a.png', 'c.png']
    features = np.arange(6, dtype=np.float32).reshape(3, 2)
    key = cache.key(names, ['d1', 'd2', 'd3'], dict(size=299))
    assert cache.load(key, names) is None
    path = cache.save(key, names, features)
    assert path.endswith(f'{key}.npz')
    np.testing.assert_array_equal(cache.load(key, ['c.png', 'b.png']), features[[2, 0]])
    assert sorted(p.name for p in (tmp_path / 'cache').iterdir()) == [f'{key}.npz']


def test_key_depends_on_images_and_settings_not_order():
    key = FeatureCache.key(['a', 'b'], ['1', '2'], dict(size=299))
    assert key == FeatureCache.key(['b', 'a'], ['2', '1'], dict(size=299))
    assert key != FeatureCache.key(['a', 'b'], ['1', 'changed'], dict(size=299))
    assert key != FeatureCache.key(['a', 'c'], ['1', '2'], dict(size=299))
    assert key != FeatureCache.key(['a', 'b'], ['1', '2'], dict(size=300))
