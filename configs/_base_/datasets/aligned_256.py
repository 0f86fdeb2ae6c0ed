# pix2pix "AB" files (facades, maps, cityscapes): photo | label side by side.
# Trained unpaired (halves of different files), evaluated aligned (same file),
# so paired metrics have ground truth.
dataset_type = 'AlignedImageDataset'
data_root = None  # set by the dataset config
load_size = 286
crop_size = 256

train_pipeline = [
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
test_pipeline = [
    dict(type='LoadAlignedPair'),
    dict(
        type='ResizeImages',
        keys=['img_A', 'img_B'],
        scale=crop_size,
        interpolation='bicubic',
    ),
    dict(type='PackTranslationInputs', keys=['img_A', 'img_B']),
]
train_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        unpaired=True,
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader
