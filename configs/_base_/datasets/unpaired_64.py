# Unpaired data at 64x64 (load 72, random crop 64, flip; test: resize to 64),
# four images per batch: at 64 px a batch-1 step leaves most of a CPU's matrix
# units idle (docs/benchmarks.md).
_base_ = './unpaired_256.py'

load_size, crop_size = 72, 64


def with_args(pipeline, **args_by_type):
    """``pipeline``'s steps, each updated with ``args_by_type[its type]``.

    MMEngine merges dicts but replaces lists: a variant rebuilds the base's
    list. Not shared from a base: MMEngine drops the functions of a config.
    """
    return [dict(step, **args_by_type.get(step.type, {})) for step in pipeline]


train_pipeline = with_args(
    _base_.train_pipeline,
    ResizeImages=dict(scale=load_size),
    RandomCropImages=dict(crop_size=crop_size),
)
test_pipeline = with_args(_base_.test_pipeline, ResizeImages=dict(scale=crop_size))
train_dataloader = dict(
    batch_size=4, num_workers=1, dataset=dict(pipeline=train_pipeline)
)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
