# FastCUT on horse2zebra: CUT without PatchNCE on Y, lambda_NCE 10 and flip
# equivariance, 150 + 50 epochs (the authors' FastCUT defaults); the data,
# optimizers and hooks of cut_h2z.py.
_base_ = [
    './_base_/models/fastcut_resnet9_patchgan.py',
    './_base_/datasets/unpaired_256.py',
    './_base_/schedules/linear_decay_200e.py',
    './_base_/evaluation/fid_kid_AtoB.py',
    './_base_/default_runtime.py',
]

data_root = 'data/horse2zebra'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=266800)  # 200 epochs of 1334 iterations
param_scheduler = dict(begin=200100, end=266800)  # decay over the last 50

default_hooks = dict(checkpoint=dict(interval=13340))  # every 10 epochs
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=1334, num_images=4),
]
