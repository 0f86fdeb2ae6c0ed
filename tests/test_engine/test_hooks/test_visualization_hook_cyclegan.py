"""The hook with the real CycleGAN model and synthetic data, through the Runner."""

import re

import cv2
from mmengine.runner import Runner

SIZE = 16


def tiny_cyclegan_cfg(tmp_path) -> dict:
    pack = [dict(type='PackTranslationInputs', keys=['img_A', 'img_B'])]
    synthetic = dict(type='SyntheticStripesDataset', img_size=SIZE, pipeline=pack)
    adam = dict(
        type='OptimWrapper', optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))
    )
    return dict(
        model=dict(
            type='CycleGAN',
            generator=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
            discriminator=dict(type='PatchDiscriminator', base_channels=4, num_conv=1),
        ),
        work_dir=str(tmp_path),
        experiment_name=tmp_path.name,
        default_scope='cyclegan_plugin',
        train_dataloader=dict(
            batch_size=1,
            sampler=dict(type='InfiniteSampler', shuffle=True),
            dataset=dict(split='train', num_samples=8, **synthetic),
        ),
        val_dataloader=dict(
            batch_size=2,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(
                split='test', num_samples=4, seed=1, test_mode=True, **synthetic
            ),
        ),
        val_evaluator=dict(type='L1'),
        train_cfg=dict(by_epoch=False, max_iters=3, val_interval=3),
        val_cfg=dict(),
        optim_wrapper=dict(
            constructor='MultiOptimWrapperConstructor',
            generators=adam,
            discriminators=adam,
        ),
        custom_hooks=[
            dict(type='TranslationVisualizationHook', interval=2, num_images=2)
        ],
        default_hooks=dict(checkpoint=None, logger=dict(type='LoggerHook', interval=1)),
    )


def test_cyclegan_snapshots_from_the_val_set(tmp_path):
    runner = Runner(**tiny_cyclegan_cfg(tmp_path))
    runner.train()
    vis_dir = tmp_path / runner.timestamp / 'vis_data' / 'vis_image'
    names = sorted(p.name for p in vis_dir.glob('translation_*.png'))
    assert names == sorted(f'translation_{d}_{s}.png' for d in 'AB' for s in (2, 3))
    # 2 images, identity loss on by default: 4 columns.
    grid = cv2.imread(str(vis_dir / 'translation_B_3.png'))
    assert grid.shape == (2 * SIZE + 2, 4 * SIZE + 6, 3)
    page = (tmp_path / 'index.html').read_text()
    assert [int(s) for s in re.findall(r'iteration (\d+)</h2>', page)] == [3, 2]
    assert re.search(r'<th>loss_[^<]*</th>', page)  # the model's own loss names
    assert 'real B | G_B(B) | G_A(G_B(B)) | G_A(B)' in page
    for src in re.findall(r'<img src="([^"]+)"', page):
        assert (tmp_path / src).is_file()
