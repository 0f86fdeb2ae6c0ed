# CycleGAN on apple2orange: 995 apples, 1019 oranges.
# One epoch = max(|A|, |B|) = 1019 iterations; 100 + 100 epochs as the paper.
_base_ = './cyclegan_h2z.py'

data_root = 'data/apple2orange'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=200 * 1019, val_interval=20 * 1019)
param_scheduler = dict(begin=100 * 1019, end=200 * 1019)
default_hooks = dict(checkpoint=dict(interval=10 * 1019))
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=1019, num_images=4),
]
