# CUT on horse2zebra (Park et al. 2020, as in the authors' code): 256x256,
# batch 1, anti-aliased ResNet-9 G and PatchGAN, LSGAN, lambda_GAN 1,
# lambda_NCE 1 with PatchNCE on Y, 256 patches, tau 0.07, Adam 2e-4
# (0.5, 0.999) for G, F and D, 200 + 200 epochs = 533,600 iterations.
# Data: data/horse2zebra/{trainA,trainB,testA,testB}.
_base_ = [
    './_base_/models/cut_resnet9_patchgan.py',
    './_base_/datasets/unpaired_256.py',
    './_base_/schedules/linear_decay_400e.py',
    './_base_/evaluation/fid_kid_AtoB.py',  # CUT translates A -> B only
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
