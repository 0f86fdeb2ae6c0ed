# CycleGAN on monet2photo: 1072 Monet paintings, 6287 photos.
# One epoch = max(|A|, |B|) = 6287 iterations; 100 + 100 epochs as the paper.
_base_ = './cyclegan_h2z.py'

data_root = 'data/monet2photo'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=200 * 6287, val_interval=20 * 6287)
param_scheduler = dict(begin=100 * 6287, end=200 * 6287)
default_hooks = dict(checkpoint=dict(interval=10 * 6287))
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=6287, num_images=4),
]
