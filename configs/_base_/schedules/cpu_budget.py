# A CPU budget of under 2 hours on 2 cores at 64 px (docs/benchmarks.md):
# the paper's Adam and schedule shape (constant lr for the first half, then
# linear decay to zero) over 14,000 iterations, in bf16 mixed precision: bf16
# convolutions (AMX or AVX-512 BF16 where the CPU has them) with the losses,
# the norm statistics and the Adam state in fp32. Validation every 2,000.
_base_ = './adam_2e-4.py'

optim_wrapper = dict(
    generators=dict(type='MixedPrecisionOptimWrapper', dtype='bfloat16'),
    discriminators=dict(type='MixedPrecisionOptimWrapper', dtype='bfloat16'),
)
max_iters = 14000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=2000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = dict(
    type='LinearLR',
    start_factor=1.0,
    end_factor=0.0,
    by_epoch=False,
    begin=max_iters // 2,
    end=max_iters,
)
