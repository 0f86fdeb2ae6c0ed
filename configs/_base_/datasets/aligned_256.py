# pix2pix "AB" files (facades, maps, cityscapes): photo | label side by side.
# Trained unpaired (halves of different files), evaluated aligned (same file),
# so paired metrics have ground truth. The unpaired base's loaders and
# transforms; only the dataset and the loading step differ.
_base_ = './unpaired_256.py'

dataset_type = 'AlignedImageDataset'

# One file holds both images: the unpaired pipelines after their loading step.
train_pipeline = [dict(type='LoadAlignedPair')] + _base_.train_pipeline[1:]
test_pipeline = [dict(type='LoadAlignedPair')] + _base_.test_pipeline[1:]
train_dataloader = dict(
    dataset=dict(type=dataset_type, unpaired=True, pipeline=train_pipeline)
)
# _delete_: the base's serial=True is an UnpairedImageDataset argument, and
# MMEngine cannot remove one key of a base dict; the others are restated.
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=_base_.data_root,
        split='test',
        test_mode=True,
        pipeline=test_pipeline,
    )
)
test_dataloader = val_dataloader
