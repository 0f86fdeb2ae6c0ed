# Constant learning rate for short runs (demos, smoke tests).
_base_ = './adam_2e-4.py'  # the paper's Adam for both optimizers

train_cfg = dict(type='IterBasedTrainLoop', max_iters=1000, val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = dict(type='ConstantLR', factor=1.0, by_epoch=False)
