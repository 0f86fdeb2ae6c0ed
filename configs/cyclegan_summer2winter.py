# CycleGAN on summer2winter_yosemite: 1231 summer, 962 winter Yosemite photos.
# One epoch = max(|A|, |B|) = 1231 iterations; 100 + 100 epochs as the paper.
_base_ = './cyclegan_h2z.py'

data_root = 'data/summer2winter_yosemite'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=200 * 1231, val_interval=20 * 1231)
param_scheduler = dict(begin=100 * 1231, end=200 * 1231)
default_hooks = dict(checkpoint=dict(interval=10 * 1231))
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=1231, num_images=4),
]
