# A CPU-sized horse2zebra run (docs/benchmarks.md): the paper's recipe at
# 64x64 (load 72, crop 64) with a slimmer ResNet-6 generator and PatchGAN, for
# 1500 iterations (about half an hour on 2 shared CPU cores); the linear decay
# keeps the paper's shape (constant for the first half, then to zero).
_base_ = './cyclegan_h2z.py'

model = dict(
    generator=dict(base_channels=32, num_blocks=6),  # the authors' 128 px depth
    discriminator=dict(base_channels=32),
)

load_size, crop_size = 72, 64


def with_args(pipeline, **args_by_type):
    """``pipeline``'s steps, each updated with ``args_by_type[its type]``.

    MMEngine merges dicts but replaces lists: a variant rebuilds the base's
    list. Not shared from a base: MMEngine drops the functions of a config.
    """
    return [dict(step, **args_by_type.get(step.type, {})) for step in pipeline]


# The base's pipelines with the 64 px sizes (load 72, crop 64).
train_pipeline = with_args(
    _base_.train_pipeline,
    ResizeImages=dict(scale=load_size),
    RandomCropImages=dict(crop_size=crop_size),
)
test_pipeline = with_args(_base_.test_pipeline, ResizeImages=dict(scale=crop_size))
train_dataloader = dict(num_workers=1, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

max_iters = 1500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = dict(begin=max_iters // 2, end=max_iters)
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=500, max_keep_ckpts=2)
)
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=250, num_images=4),
]
