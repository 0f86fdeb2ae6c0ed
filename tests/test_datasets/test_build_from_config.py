"""Every dataset and transform builds from config, as the Runner builds them."""

import torch
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from cyclegan_plugin.registry import DATASETS, TRANSFORMS

DATASET_TYPES = {
    'UnpairedImageDataset',
    'AlignedImageDataset',
    'SyntheticStripesDataset',
}
TRANSFORM_TYPES = {
    'LoadTranslationImage',
    'LoadAlignedPair',
    'ResizeImages',
    'RandomCropImages',
    'RandomFlipImages',
    'PackTranslationInputs',
}


def test_all_registered():
    assert DATASET_TYPES <= set(DATASETS.module_dict)
    assert TRANSFORM_TYPES <= set(TRANSFORMS.module_dict)


def test_runner_builds_a_dataloader_in_the_plugin_scope(unpaired_root):
    cfg = dict(
        batch_size=2,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='UnpairedImageDataset',
            data_root=str(unpaired_root),
            pipeline=[
                dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),
                dict(type='ResizeImages', keys=['img_A', 'img_B'], scale=20),
                dict(type='RandomCropImages', keys=['img_A', 'img_B'], crop_size=16),
                dict(type='RandomFlipImages', keys=['img_A', 'img_B'], prob=0.5),
                # An mmcv transform resolves too (through the parent registry).
                dict(type='KeyMapper', mapping={}, transforms=[]),
                dict(type='PackTranslationInputs', keys=['img_A', 'img_B']),
            ],
        ),
    )
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        loader = Runner.build_dataloader(cfg, seed=0)
        synthetic = MMENGINE_DATASETS.build(
            dict(
                type='SyntheticStripesDataset',
                num_samples=2,
                img_size=16,
                pipeline=[dict(type='PackTranslationInputs')],
            )
        )
    batch = next(iter(loader))
    assert len(batch['inputs']['img_A']) == 2
    assert batch['inputs']['img_B'][0].shape == (3, 16, 16)
    assert batch['inputs']['img_B'][0].dtype == torch.uint8
    assert len(batch['data_samples']) == 2
    assert synthetic[1]['inputs']['img_A'].shape == (3, 16, 16)
