# CycleGAN on maps: 1096 aerial photos and 1096 maps (the authors unpaired maps set).
# One epoch = max(|A|, |B|) = 1096 iterations; 100 + 100 epochs as the paper.
_base_ = './cyclegan_h2z.py'

data_root = 'data/maps'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=200 * 1096, val_interval=20 * 1096)
param_scheduler = dict(begin=100 * 1096, end=200 * 1096)
default_hooks = dict(checkpoint=dict(interval=10 * 1096))
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=1096, num_images=4),
]
