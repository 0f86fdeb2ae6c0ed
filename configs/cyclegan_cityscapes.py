# CycleGAN on cityscapes: 2975 photos and 2975 label maps
# (manual download: the Cityscapes site needs registration).
# One epoch = max(|A|, |B|) = 2975 iterations; 100 + 100 epochs as the paper.
_base_ = './cyclegan_h2z.py'

data_root = 'data/cityscapes'
train_dataloader = dict(dataset=dict(data_root=data_root))
# testA (photos) and testB (label maps) hold the same scenes in the same order.
val_dataloader = dict(dataset=dict(data_root=data_root, aligned=True))
test_dataloader = val_dataloader

train_cfg = dict(max_iters=200 * 2975, val_interval=20 * 2975)
param_scheduler = dict(begin=100 * 2975, end=200 * 2975)
default_hooks = dict(checkpoint=dict(interval=10 * 2975))
# The paper's scores: label maps generated from photos (A -> B) against the true
# ones, over Cityscapes' 19 training classes (nearest palette colour; void
# pixels count as their nearest class). Labels -> photo needs a segmenter:
# set FCNScore's model to a TorchScript Cityscapes network. Testing adds each
# score's spread over 100 bootstrap resamplings of the test images.
val_evaluator = [
    dict(type='FID', directions=('AtoB', 'BtoA')),
    dict(type='LabelScore', direction='AtoB', palette='cityscapes'),
    dict(type='FCNScore', direction='BtoA', palette='cityscapes', model=None),
]
test_evaluator = [dict(metric, bootstrap=100) for metric in val_evaluator]
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=2975, num_images=4),
]
