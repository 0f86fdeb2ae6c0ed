# The paper's horse2zebra recipe (Zhu et al. 2017, as in the authors' code):
# 256x256, batch 1, ResNet-9 G, 70x70 PatchGAN, LSGAN, lambda 10, identity 0.5,
# buffer 50, Adam 2e-4 (0.5, 0.999), 100 + 100 epochs = 266,800 iterations.
# Data: data/horse2zebra/{trainA,trainB,testA,testB}
#   (python tools/download_dataset.py horse2zebra, where the internet is reachable).
_base_ = [
    './_base_/models/cyclegan_resnet9_patchgan.py',
    './_base_/datasets/unpaired_256.py',
    './_base_/schedules/linear_decay_200e.py',
    './_base_/evaluation/fid_kid.py',
    './_base_/default_runtime.py',
]

data_root = 'data/horse2zebra'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

default_hooks = dict(checkpoint=dict(interval=13340))  # every 10 epochs
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=1334, num_images=4),
]
