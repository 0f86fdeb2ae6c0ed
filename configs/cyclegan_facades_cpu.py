# A CPU-sized facades run (docs/benchmarks.md): 64x64 (load 72, crop 64),
# slimmer ResNet-6 generator and PatchGAN, 1000 iterations; the paper's scores
# of the generated label maps on the 106 test pairs.
_base_ = './cyclegan_facades.py'

model = dict(
    generator=dict(base_channels=32, num_blocks=6), discriminator=dict(base_channels=32)
)

load_size, crop_size = 72, 64
train_dataloader = dict(
    num_workers=1,
    dataset=dict(
        pipeline=[
            dict(type='LoadAlignedPair'),
            dict(
                type='ResizeImages',
                keys=['img_A', 'img_B'],
                scale=load_size,
                interpolation='bicubic',
            ),
            dict(type='RandomCropImages', keys=['img_A', 'img_B'], crop_size=crop_size),
            dict(type='RandomFlipImages', keys=['img_A', 'img_B'], prob=0.5),
            dict(type='PackTranslationInputs', keys=['img_A', 'img_B']),
        ]
    ),
)
val_dataloader = dict(
    dataset=dict(
        pipeline=[
            dict(type='LoadAlignedPair'),
            # Nearest keeps label maps to their palette colours when resizing.
            dict(
                type='ResizeImages',
                keys=['img_A', 'img_B'],
                scale=crop_size,
                interpolation='nearest',
            ),
            dict(type='PackTranslationInputs', keys=['img_A', 'img_B']),
        ]
    )
)
test_dataloader = val_dataloader

max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(begin=max_iters // 2, end=max_iters)
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=500, max_keep_ckpts=2)
)
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=250, num_images=4),
]
