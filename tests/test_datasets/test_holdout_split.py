"""HoldoutSplit, and the datasets' ``holdout`` argument."""

import os
import shutil

import pytest

from cyclegan_plugin.datasets import HoldoutSplit, list_images
from cyclegan_plugin.registry import DATASETS


def _names(paths, folder):
    return [os.path.relpath(p, folder) for p in paths]


def test_parts_are_disjoint_cover_the_folder_and_depend_on_names_only(
    tmp_path, make_images
):
    folder = tmp_path / 'trainA'
    make_images(folder, 60, size=(4, 4))
    every = list_images(str(folder))
    split = HoldoutSplit(0.25)
    held = list_images(str(folder), holdout=HoldoutSplit(0.25, 'holdout'))
    rest = list_images(str(folder), holdout=split)
    assert set(held).isdisjoint(rest) and sorted(held + rest) == sorted(every)
    assert 5 <= len(held) <= 25  # about a quarter of 60, decided by the hash
    assert rest == [p for p in every if p not in held]  # the listing's order

    # The same names elsewhere split the same way; removing files moves no
    # other file across.
    copy = tmp_path / 'copy'
    shutil.copytree(folder, copy)
    for path in held[:2] + rest[:3]:
        os.remove(copy / os.path.relpath(path, folder))
    held_copy = list_images(str(copy), holdout=HoldoutSplit(0.25, 'holdout'))
    assert _names(held_copy, copy) == _names(held[2:], folder)
    # A larger fraction holds out a superset.
    more = list_images(str(folder), holdout=HoldoutSplit(0.5, 'holdout'))
    assert set(held) <= set(more)


def test_max_dataset_size_applies_after_the_split(tmp_path, make_images):
    folder = tmp_path / 'x'
    make_images(folder, 30, size=(4, 4))
    rest = list_images(str(folder), holdout=HoldoutSplit(0.3))
    assert list_images(str(folder), 4, holdout=HoldoutSplit(0.3)) == rest[:4]


def test_unpaired_dataset_trains_on_rest_and_validates_on_holdout(
    tmp_path, make_images
):
    make_images(tmp_path / 'trainA', 40, size=(8, 8), seed=1)
    make_images(tmp_path / 'trainB', 30, size=(8, 8), seed=2)

    def build(part):
        return DATASETS.build(
            dict(
                type='UnpairedImageDataset',
                data_root=str(tmp_path),
                holdout=dict(fraction=0.2, part=part),
                serial=True,
            )
        )

    train, val = build('rest'), build('holdout')
    for domain in ('A', 'B'):
        train_paths = getattr(train, f'paths_{domain}')
        val_paths = getattr(val, f'paths_{domain}')
        assert train_paths and val_paths
        assert set(train_paths).isdisjoint(val_paths)
        assert len(train_paths) + len(val_paths) == (40 if domain == 'A' else 30)
    assert len(val) == max(len(val.paths_A), len(val.paths_B))
    item = val[0]
    assert item['img_A_path'] in val.paths_A and item['img_B_path'] in val.paths_B


def test_aligned_dataset_splits_its_files(tmp_path, make_images):
    make_images(tmp_path / 'train', 20, size=(4, 8))
    held = DATASETS.build(
        dict(
            type='AlignedImageDataset',
            data_root=str(tmp_path),
            holdout=dict(fraction=0.3, part='holdout'),
        )
    )
    rest = DATASETS.build(
        dict(
            type='AlignedImageDataset',
            data_root=str(tmp_path),
            holdout=dict(fraction=0.3),
        )
    )
    assert len(held) + len(rest) == 20
    assert set(held.paths).isdisjoint(rest.paths)


@pytest.mark.parametrize(
    'cfg, message',
    [
        (dict(fraction=0), r'holdout.fraction must be in \(0, 1\), got 0'),
        (dict(fraction=1.5), r'holdout.fraction must be in \(0, 1\), got 1.5'),
        (dict(fraction='0.1'), r"holdout.fraction must be a number, got '0.1'"),
        (dict(fraction=0.1, part='val'), r"holdout.part must be 'rest' or 'holdout'"),
        (dict(fraction=0.1, parts='rest'), r"holdout has no key 'parts'"),
        (dict(part='rest'), r'holdout must be a dict like'),
    ],
)
def test_bad_holdout_config_is_named(tmp_path, cfg, message):
    with pytest.raises(ValueError, match=message):
        DATASETS.build(
            dict(type='UnpairedImageDataset', data_root=str(tmp_path), holdout=cfg)
        )


def test_empty_part_names_the_folder(tmp_path, make_images):
    make_images(tmp_path / 'trainA', 1, size=(4, 4))
    make_images(tmp_path / 'trainB', 1, size=(4, 4))
    # With one file per folder one of the two parts is empty.
    errors = []
    for part in ('rest', 'holdout'):
        try:
            DATASETS.build(
                dict(
                    type='UnpairedImageDataset',
                    data_root=str(tmp_path),
                    holdout=dict(fraction=0.5, part=part),
                )
            )
        except ValueError as error:
            errors.append(str(error))
    assert errors, 'one part of a one-file folder must be empty'
    assert all('leaves no image of the 1 in' in e and 'train' in e for e in errors)
