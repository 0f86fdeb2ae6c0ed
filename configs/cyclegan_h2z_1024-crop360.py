# The authors' advice for high-resolution photos (their FAQ): train on crops,
# translate full size. Images are resized to 1024 (bicubic), training takes
# random 360x360 crops (batch 1), so memory is that of a 360x360 step; the
# ResNet-9 generator is fully convolutional, so test and translate run on the
# whole 1024x1024 image. Everything else is the paper's recipe. Measured on a
# 2-core CPU (fp32, peak resident set of the process): a 360x360 training
# step needs 5.5 GB (17.8 s), 3.5 GB with activation checkpointing of the
# residual blocks and discriminator layers (--cfg-options
# model.generator.with_cp=True model.discriminator.with_cp=True; 1.07x the
# time); docs/benchmarks.md, "Training memory at high resolution".
_base_ = './cyclegan_h2z.py'

load_size = 1024
crop_size = 360

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
# Full size: the test images at 1024x1024, uncropped.
test_pipeline = [
    dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),
    dict(
        type='ResizeImages',
        keys=['img_A', 'img_B'],
        scale=load_size,
        interpolation='bicubic',
    ),
    dict(type='PackTranslationInputs', keys=['img_A', 'img_B']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
