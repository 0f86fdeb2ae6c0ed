# Runs anywhere in minutes, with no download: the synthetic stripes dataset
# (domain A: smooth coloured shapes; B: the same kind of shapes with zebra
# stripes) at 64x64, rendered from a seed. Its test split renders the same
# scenes in both styles, so PSNR/SSIM/L1 against ground truth are meaningful.
#   python tools/train.py configs/cyclegan_demo.py
_base_ = [
    './_base_/models/cyclegan_resnet9_patchgan.py',
    './_base_/schedules/constant_lr.py',
    './_base_/default_runtime.py',
]

img_size = 64
# A small network: 64x64 images need neither 64 base channels nor 9 blocks.
model = dict(
    generator=dict(base_channels=16, num_blocks=3),
    discriminator=dict(base_channels=16, num_conv=2),
)

pipeline = [
    dict(type='RandomFlipImages', keys=['img_A', 'img_B'], prob=0.5),
    dict(type='PackTranslationInputs', keys=['img_A', 'img_B']),
]
test_pipeline = [dict(type='PackTranslationInputs', keys=['img_A', 'img_B'])]
train_dataloader = dict(
    batch_size=1,
    num_workers=0,  # rendering is cheap; workers would compete for 2 cores
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='SyntheticStripesDataset',
        split='train',
        num_samples=1000,
        img_size=img_size,
        seed=0,
        pipeline=pipeline,
    ),
)
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='SyntheticStripesDataset',
        split='test',
        num_samples=64,
        img_size=img_size,
        seed=1,
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader
# Pixel metrics against the rendered ground truth. They suit B->A (stripes
# removed, colour recovered); A->B can only guess where the stripes fall, so
# its pixel scores stay below the identity's (docs/benchmarks.md). FID on 64
# tiny synthetic images ranks blur above everything and is left out.
val_evaluator = [
    dict(type='PSNR', directions=('AtoB', 'BtoA')),
    dict(type='SSIM', directions=('AtoB', 'BtoA')),
    dict(type='L1', directions=('AtoB', 'BtoA')),
]
test_evaluator = val_evaluator

train_cfg = dict(max_iters=3000, val_interval=1000)
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=1000, max_keep_ckpts=2)
)
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=250, num_images=4),
    # Every validation writes the test translations to work_dir/translations.
    dict(type='SaveTranslationsHook', on_val=True),
]
log_processor = dict(window_size=50)
