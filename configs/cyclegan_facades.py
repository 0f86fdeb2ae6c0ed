# CycleGAN on CMP facades (pix2pix "AB" files: photo | label map), trained
# unpaired, evaluated against the true pairs (_base_/evaluation/facades.py).
# A = photo, B = label map. 400 training files: one epoch = 400 iterations.
_base_ = [
    './_base_/models/cyclegan_resnet9_patchgan.py',
    './_base_/datasets/aligned_256.py',
    './_base_/schedules/linear_decay_200e.py',
    './_base_/evaluation/facades.py',
    './_base_/default_runtime.py',
]

data_root = 'data/facades'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=200 * 400, val_interval=20 * 400)
param_scheduler = dict(begin=100 * 400, end=200 * 400)
default_hooks = dict(checkpoint=dict(interval=10 * 400))
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=400, num_images=4),
]
