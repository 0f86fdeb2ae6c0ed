# CUT's schedule (the authors' train options): 200 epochs at constant lr, then
# linear decay to zero over 200 more. An epoch is horse2zebra's 1334
# iterations at batch size 1; other datasets override the three values.
_base_ = './linear_decay_200e.py'

train_cfg = dict(max_iters=533600, val_interval=26680)
param_scheduler = dict(begin=266800, end=533600)
