# The paper's recipe at 512x512 (resize to 572, random 512 crop: the 286/256
# ratio of the 256 recipe), with activation checkpointing of every generator
# stage (stem to head) and every discriminator layer: it recomputes their
# activations in the backward pass instead of keeping them, which changes no
# gradient. Measured on a 2-core CPU (fp32, batch 1, peak resident set of the
# process): 4.4 GB instead of 10.1 GB, at the same time per step within the
# noise; the residual blocks alone (with_cp=True) give 6.2 GB for 1.19x
# (docs/benchmarks.md, "Training memory at high resolution"). On a GPU the
# saving is in allocated memory likewise.
_base_ = './cyclegan_h2z.py'

load_size = 572
crop_size = 512

model = dict(
    generator=dict(with_cp='all'),
    discriminator=dict(with_cp=True),
)

train_pipeline = [
    dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),
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
test_pipeline = [
    dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),
    dict(
        type='ResizeImages',
        keys=['img_A', 'img_B'],
        scale=crop_size,
        interpolation='bicubic',
    ),
    dict(type='PackTranslationInputs', keys=['img_A', 'img_B']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
