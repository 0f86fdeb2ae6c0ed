# CycleGAN on cityscapes: 2975 photos and 2975 label maps
# (manual download: the Cityscapes site needs registration).
# One epoch = max(|A|, |B|) = 2975 iterations; 100 + 100 epochs as the paper.
_base_ = './cyclegan_h2z.py'

data_root = 'data/cityscapes'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=200 * 2975, val_interval=20 * 2975)
param_scheduler = dict(begin=100 * 2975, end=200 * 2975)
default_hooks = dict(checkpoint=dict(interval=10 * 2975))
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=2975, num_images=4),
]
