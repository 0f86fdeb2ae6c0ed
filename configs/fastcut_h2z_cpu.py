# FastCUT on horse2zebra on the CPU budget of cyclegan_h2z_cpu.py, to compare
# the two at the same wall time on 2 cores: the same data (64x64, batch 4),
# the same generator size (ResNet-6 of width 32; CUT's anti-aliased down- and
# upsampling), the same PatchGAN width, bf16 mixed precision and schedule
# shape (constant lr for half the run, then linear decay to 0).
# The FastCUT settings (lambda_NCE 10, no PatchNCE on Y, flip equivariance)
# are the authors'. The 5 NCE layers exist at this depth: the padded input,
# both downsampling convs, residual blocks 1 and 5; the last is 16x16, i.e.
# exactly the 256 patches sampled per layer.
# Iterations: the CycleGAN recipe's wall time at FastCUT's measured cost per
# iteration relative to it, 0.68x at 64x64, batch 4, bf16 on 2 cores
# (docs/benchmarks.md, "CUT and FastCUT"): 14,000 / 0.68, about 20,000.
# FID/KID of A -> B every 2,000 iterations, as the CycleGAN recipe.
_base_ = [
    './_base_/models/fastcut_resnet9_patchgan.py',
    './_base_/datasets/unpaired_64.py',
    './_base_/schedules/cpu_budget.py',
    './_base_/evaluation/fid_kid_AtoB.py',
    './_base_/default_runtime.py',
]

model = dict(generator=dict(base_channels=32, num_blocks=6))

data_root = 'data/horse2zebra'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

max_iters = 20000
train_cfg = dict(max_iters=max_iters, val_interval=2000)
param_scheduler = dict(begin=max_iters // 2, end=max_iters)
default_hooks = dict(
    logger=dict(interval=100), checkpoint=dict(interval=2000, max_keep_ckpts=2)
)
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=1000, num_images=4),
]
