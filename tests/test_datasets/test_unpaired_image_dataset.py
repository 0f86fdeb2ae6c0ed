"""UnpairedImageDataset on tiny folders and on the real horse2zebra files."""

import logging
import subprocess
import sys

import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from torch.utils.data import DataLoader

from cyclegan_plugin.datasets import UnpairedImageDataset
from cyclegan_plugin.registry import DATASETS

PIPELINE = [
    dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),
    dict(type='ResizeImages', scale=36),
    dict(type='RandomCropImages', crop_size=32),
    dict(type='RandomFlipImages', prob=0.5),
    dict(type='PackTranslationInputs'),
]


def _b_names(dataset, indices):
    return [dataset.get_data_info(i)['img_B_path'][-7:] for i in indices]


def test_length_serial_and_random_pairing(unpaired_root):
    serial = UnpairedImageDataset(str(unpaired_root), serial=True)
    assert len(serial) == 5  # max(3 A, 5 B)
    info = serial.get_data_info(4)
    assert info['img_A_path'].endswith('trainA/001.png')  # A[4 % 3]
    assert info['img_B_path'].endswith('trainB/004.png')
    assert info['aligned'] is False
    unaligned = UnpairedImageDataset(str(unpaired_root), seed=0)
    draws = _b_names(unaligned, [0] * 30)
    assert len(set(draws)) > 1 and set(draws) <= {f'{i:03d}.png' for i in range(5)}
    test_split = UnpairedImageDataset(str(unpaired_root), split='test', serial=True)
    assert len(test_split) == 2 and 'testB' in test_split.get_data_info(0)['img_B_path']


def test_max_dataset_size_and_domain_dirs(unpaired_root):
    dataset = UnpairedImageDataset(
        str(unpaired_root), max_dataset_size=2, domain_dirs=dict(A='testA', B='trainB')
    )
    assert len(dataset) == 2 and dataset.paths_B[-1].endswith('trainB/001.png')
    with pytest.raises(ValueError, match="'A' and 'B'"):
        UnpairedImageDataset(str(unpaired_root), domain_dirs=dict(A='trainA'))


def test_errors_for_missing_root_and_empty_domain(tmp_path, unpaired_root):
    with pytest.raises(FileNotFoundError, match='download_dataset.py'):
        UnpairedImageDataset(str(tmp_path / 'nowhere'))
    lazy = UnpairedImageDataset(str(tmp_path / 'nowhere'), lazy_init=True)
    with pytest.raises(FileNotFoundError, match='cyclegan_demo.py'):
        len(lazy)
    (unpaired_root / 'valA').mkdir()
    with pytest.raises(FileNotFoundError, match='valA'):
        UnpairedImageDataset(str(unpaired_root), split='val')


def test_corrupt_image_raises_or_is_skipped_and_logged(unpaired_root):
    (unpaired_root / 'trainA' / '001.png').write_bytes(b'broken')
    strict = UnpairedImageDataset(str(unpaired_root), pipeline=PIPELINE, serial=True)
    with pytest.raises(OSError, match='001.png'):
        strict[1]
    lenient = UnpairedImageDataset(
        str(unpaired_root), pipeline=PIPELINE, serial=True, skip_corrupt=True
    )
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        item = lenient[1]
    finally:
        logger.removeHandler(handler)
    assert item['data_samples'].img_A_path.endswith('trainA/002.png')
    assert lenient.num_skipped == 1
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert any('trainA/001.png' in message for message in warnings)


def test_pipeline_output_follows_design(unpaired_root):
    dataset = DATASETS.build(
        dict(
            type='UnpairedImageDataset',
            data_root=str(unpaired_root),
            seed=0,
            pipeline=PIPELINE,
        )
    )
    item = dataset[0]
    assert item['inputs']['img_A'].shape == (3, 32, 32)
    assert item['inputs']['img_B'].dtype == torch.uint8
    meta = item['data_samples'].metainfo
    assert meta['ori_shape_A'] == (16, 20) and meta['aligned'] is False
    assert meta['img_A_path'].endswith('trainA/000.png')


@pytest.mark.realdata
def test_real_horse2zebra_from_config(horse2zebra):
    dataset = DATASETS.build(
        dict(
            type='UnpairedImageDataset',
            data_root=str(horse2zebra),
            seed=0,
            pipeline=PIPELINE,
        )
    )
    assert len(dataset) == 1334 and len(dataset.paths_A) == 1067
    for idx in (0, 1333):
        item = dataset[idx]
        assert item['inputs']['img_A'].shape == item['inputs']['img_B'].shape
        assert item['inputs']['img_A'].shape == (3, 32, 32)
        assert item['data_samples'].ori_shape_B == (256, 256)


def _loader_draws(dataset, num_workers, sampler, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    loader = DataLoader(
        dataset,
        batch_size=1,
        sampler=sampler,
        num_workers=num_workers,
        collate_fn=pseudo_collate,
    )
    return [batch['img_B_path'][0][-7:] for batch in loader]


def test_dataloader_workers_distinct_and_runs_deterministic(tmp_path):
    # Paths only (no pipeline): the test is about the pairing, not decoding.
    for domain, count in (('trainA', 2), ('trainB', 200)):
        (tmp_path / domain).mkdir()
        for i in range(count):
            (tmp_path / domain / f'{i:03d}.png').write_bytes(b'')
    sampler = [0] * 12  # the same index over and over, as across epochs
    dataset = UnpairedImageDataset(str(tmp_path), seed=5)
    draws = _loader_draws(dataset, 2, sampler)
    # Batch k comes from worker k % 2: their sequences must differ.
    assert draws[0::2] != draws[1::2]
    assert (
        _loader_draws(UnpairedImageDataset(str(tmp_path), seed=5), 2, sampler) == draws
    )
    main = _loader_draws(UnpairedImageDataset(str(tmp_path), seed=5), 0, sampler)
    assert main == _loader_draws(
        UnpairedImageDataset(str(tmp_path), seed=5), 0, sampler
    )
    # seed=None follows the torch seed (the runner's), also inside workers.
    unseeded = UnpairedImageDataset(str(tmp_path))
    first = _loader_draws(unseeded, 2, sampler, seed=11)
    assert first == _loader_draws(UnpairedImageDataset(str(tmp_path)), 2, sampler, 11)
    assert first != _loader_draws(UnpairedImageDataset(str(tmp_path)), 2, sampler, 12)


def test_fresh_process_repeats_the_pairings_and_state_dict_resumes(unpaired_root):
    indices = [0, 1, 0, 4, 2, 0]
    expected = _b_names(UnpairedImageDataset(str(unpaired_root), seed=9), indices)
    code = (
        'from cyclegan_plugin.datasets import UnpairedImageDataset as D\n'
        f'd = D({str(unpaired_root)!r}, seed=9)\n'
        f'print([d.get_data_info(i)["img_B_path"][-7:] for i in {indices}])\n'
    )
    out = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == str(expected)

    dataset = UnpairedImageDataset(str(unpaired_root), seed=9)
    _b_names(dataset, indices[:3])
    resumed = UnpairedImageDataset(str(unpaired_root), seed=9)
    resumed.load_state_dict(dataset.state_dict())
    assert _b_names(resumed, indices[3:]) == expected[3:]


def test_aligned_folders_pair_in_order_and_are_marked(tmp_path):
    import cv2
    import numpy as np

    from cyclegan_plugin.datasets import UnpairedImageDataset

    for domain in ('testA', 'testB'):
        (tmp_path / domain).mkdir()
        for i in range(3):
            cv2.imwrite(str(tmp_path / domain / f'{i}.png'), np.zeros((8, 8, 3)))
    ds = UnpairedImageDataset(str(tmp_path), split='test', serial=True, aligned=True)
    for i in range(3):
        info = ds.get_data_info(i)
        assert info['aligned'] is True
        assert info['img_A_path'].endswith(f'testA/{i}.png')
        assert info['img_B_path'].endswith(f'testB/{i}.png')
    with pytest.raises(ValueError, match='serial=True'):
        UnpairedImageDataset(str(tmp_path), split='test', aligned=True)
    (tmp_path / 'testB' / '2.png').unlink()
    with pytest.raises(ValueError, match=r'testA \(3\).*testB \(2\)'):
        UnpairedImageDataset(str(tmp_path), split='test', serial=True, aligned=True)
