# Unpaired data in the authors' layout: data_root/{trainA,trainB,testA,testB}.
# Train: resize to 286 (bicubic), random 256 crop, horizontal flip (per domain
# independently, the images are unpaired). Test: resize to 256, no flip.
dataset_type = 'UnpairedImageDataset'
data_root = None  # set by the dataset config
load_size = 286
crop_size = 256

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

train_dataloader = dict(
    batch_size=1,  # the paper's; instance norm makes batch size matter
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type, data_root=data_root, split='train', pipeline=train_pipeline
    ),
)
# Test sets: every A image with B paired in order (serial), each seen once.
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        serial=True,
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader
