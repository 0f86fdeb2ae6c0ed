"""AlignedImageDataset on the real facades files and a tiny AB folder."""

import numpy as np
import pytest

from cyclegan_plugin.datasets import AlignedImageDataset
from cyclegan_plugin.registry import DATASETS

PIPELINE = [
    dict(type='LoadAlignedPair'),
    dict(type='ResizeImages', scale=36),
    dict(type='RandomCropImages', crop_size=32),
    dict(type='RandomFlipImages'),
    dict(type='PackTranslationInputs'),
]


@pytest.mark.realdata
def test_facades_split_is_aligned_and_transforms_stay_aligned(facades):
    dataset = DATASETS.build(
        dict(
            type='AlignedImageDataset',
            data_root=str(facades),
            split='val',
            pipeline=PIPELINE,
        )
    )
    assert len(dataset) == 100
    plain = AlignedImageDataset(
        str(facades),
        split='val',
        pipeline=PIPELINE[:2] + [dict(type='PackTranslationInputs')],
    )
    np.random.seed(0)
    for idx in range(4):
        item = dataset[idx]
        meta = item['data_samples'].metainfo
        assert meta['aligned'] is True and meta['img_A_path'] == meta['img_B_path']
        assert (
            item['inputs']['img_A'].shape
            == item['inputs']['img_B'].shape
            == (3, 32, 32)
        )
        # A shared crop/flip keeps B the crop of the resized label at A's window.
        full_b = plain[idx]['inputs']['img_B']
        windows = [
            full_b[:, y : y + 32, x : x + 32] for y in range(5) for x in range(5)
        ]
        windows += [w.flip(-1) for w in windows]
        assert any((w == item['inputs']['img_B']).all() for w in windows)


@pytest.mark.realdata
def test_direction_swaps_halves(facades):
    pipeline = [dict(type='LoadAlignedPair'), dict(type='PackTranslationInputs')]
    a_to_b = AlignedImageDataset(str(facades), 'test', pipeline, max_dataset_size=1)[0]
    b_to_a = AlignedImageDataset(
        str(facades), 'test', pipeline, direction='BtoA', max_dataset_size=1
    )[0]
    assert (a_to_b['inputs']['img_A'] == b_to_a['inputs']['img_B']).all()
    assert (a_to_b['inputs']['img_B'] == b_to_a['inputs']['img_A']).all()


def test_unpaired_takes_b_from_another_file(tmp_path, write_rgb):
    for i in range(3):
        ab = np.zeros((4, 8, 3), np.uint8)
        ab[:, :4], ab[:, 4:] = 10 * i, 100 + 10 * i
        write_rgb(tmp_path / 'train' / f'{i}.png', ab)
    dataset = AlignedImageDataset(
        str(tmp_path),
        unpaired=True,
        seed=0,
        pipeline=[dict(type='LoadAlignedPair'), dict(type='PackTranslationInputs')],
    )
    for _ in range(10):
        item = dataset[1]
        meta = item['data_samples'].metainfo
        assert meta['aligned'] is False and meta['img_B_path'] != meta['img_A_path']
        assert int(item['inputs']['img_A'][0, 0, 0]) == 10
        assert int(item['inputs']['img_B'][0, 0, 0]) in (100, 120)


def test_errors(tmp_path, write_rgb):
    with pytest.raises(FileNotFoundError, match='download_dataset.py'):
        AlignedImageDataset(str(tmp_path / 'facades'))
    with pytest.raises(FileNotFoundError, match='val'):
        AlignedImageDataset(str(tmp_path), split='val')
    write_rgb(tmp_path / 'train' / 'only.png', np.zeros((2, 4, 3), np.uint8))
    with pytest.raises(ValueError, match='at least 2'):
        AlignedImageDataset(str(tmp_path), unpaired=True)
    with pytest.raises(ValueError, match='direction'):
        AlignedImageDataset(str(tmp_path), direction='AB')
