"""SyntheticStripesDataset and write_synthetic_dataset."""

import numpy as np
import pytest

from cyclegan_plugin.datasets import (
    SyntheticStripesDataset,
    UnpairedImageDataset,
    write_synthetic_dataset,
)
from cyclegan_plugin.registry import DATASETS

PIPELINE = [dict(type='RandomFlipImages'), dict(type='PackTranslationInputs')]


def _images(item):
    return (
        item['inputs']['img_A'].permute(1, 2, 0).numpy(),
        item['inputs']['img_B'].permute(1, 2, 0).numpy(),
    )


def test_deterministic_from_seed():
    def build(seed):
        return DATASETS.build(
            dict(
                type='SyntheticStripesDataset',
                num_samples=4,
                img_size=32,
                seed=seed,
                pairing_seed=0,
                pipeline=[dict(type='PackTranslationInputs')],
            )
        )

    first, second, other = build(1)[2], build(1)[2], build(2)[2]
    for x, y in zip(_images(first), _images(second)):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(_images(first)[0], _images(other)[0])
    assert first['data_samples'].img_A_path == 'synthetic_A_000002.png'


def test_train_is_unpaired_test_is_aligned():
    train = SyntheticStripesDataset(
        num_samples=8, img_size=32, pairing_seed=0, pipeline=PIPELINE
    )
    item = train[0]
    assert item['inputs']['img_A'].shape == (3, 32, 32)
    assert item['data_samples'].aligned is False
    partners = {train[0]['data_samples'].img_B_path for _ in range(10)}
    assert len(partners) > 1

    test = SyntheticStripesDataset(
        split='test', num_samples=4, img_size=32, pipeline=PIPELINE
    )
    np.random.seed(0)
    for idx in range(4):
        item = test[idx]
        assert item['data_samples'].aligned is True
        img_a, img_b = _images(item)
        # Same scene: the background (unstriped) matches, the shapes differ.
        same = np.all(img_a == img_b, axis=-1)
        assert 0.2 < same.mean() < 0.98


def test_images_look_like_their_domains():
    dataset = SyntheticStripesDataset(
        split='test',
        num_samples=6,
        img_size=64,
        pipeline=[dict(type='PackTranslationInputs')],
    )
    for idx in range(6):
        img_a, img_b = (x.astype(np.int16) for x in _images(dataset[idx]))
        # Stripes make B's shapes alternate dark and light; A's shapes are smooth.
        assert _texture(img_b) > 2 * _texture(img_a)


def _texture(img: np.ndarray) -> float:
    return float(np.abs(np.diff(img, axis=1)).mean())


def test_argument_checks():
    with pytest.raises(ValueError, match='split'):
        SyntheticStripesDataset(split='val')
    with pytest.raises(ValueError, match='num_samples'):
        SyntheticStripesDataset(num_samples=0)


def test_written_dataset_matches_and_loads(tmp_path):
    root = write_synthetic_dataset(
        tmp_path / 'stripes', num_train=3, num_test=2, img_size=32, seed=4
    )
    assert sorted(p.name for p in root.iterdir()) == [
        'testA',
        'testB',
        'trainA',
        'trainB',
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]
    folder = UnpairedImageDataset(
        str(root),
        split='test',
        serial=True,
        pipeline=[
            dict(type='LoadTranslationImage'),
            dict(type='PackTranslationInputs'),
        ],
    )
    generated = SyntheticStripesDataset(
        split='test',
        num_samples=2,
        img_size=32,
        seed=4,
        pipeline=[dict(type='PackTranslationInputs')],
    )
    for idx in range(2):
        for x, y in zip(_images(folder[idx]), _images(generated[idx])):
            np.testing.assert_array_equal(x, y)
    with pytest.raises(FileExistsError, match='overwrite'):
        write_synthetic_dataset(root, num_train=1, num_test=1, img_size=16)
    write_synthetic_dataset(root, num_train=1, num_test=1, img_size=16, overwrite=True)
    assert len(list((root / 'trainA').iterdir())) == 1
    assert [p.name for p in tmp_path.iterdir()] == ['stripes']
