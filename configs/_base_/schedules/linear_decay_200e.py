# The paper's schedule: 100 epochs at constant lr, then linear decay to zero
# over 100 more. An epoch is max(|A|, |B|) iterations at batch size 1; these
# numbers are horse2zebra's (1334), other datasets override the three values.
_base_ = './adam_2e-4.py'  # the paper's Adam for both optimizers

train_cfg = dict(type='IterBasedTrainLoop', max_iters=266800, val_interval=26680)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# A single scheduler config applies to both optimizers (generators and
# discriminators), as the authors decay both.
param_scheduler = dict(
    type='LinearLR',
    start_factor=1.0,
    end_factor=0.0,
    by_epoch=False,
    begin=133400,
    end=266800,
)
