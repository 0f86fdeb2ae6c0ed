# pix2pix "AB" files at 64x64 (load 72, random crop 64, flip), four images per
# batch, as unpaired_64.py. The test pipeline resizes the photos (A) bicubic
# and the label maps (B) nearest, so that every label pixel keeps a palette
# colour for the segmentation scores.
_base_ = './aligned_256.py'

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
load_step, resize_step, *test_rest = _base_.test_pipeline
test_pipeline = [
    load_step,
    dict(resize_step, keys=['img_A'], scale=crop_size),
    dict(resize_step, keys=['img_B'], scale=crop_size, interpolation='nearest'),
    *test_rest,
]
train_dataloader = dict(
    batch_size=4, num_workers=1, dataset=dict(pipeline=train_pipeline)
)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
