# facades (photo <-> label map) on the CPU budget of cyclegan_h2z_cpu.py: the
# same networks, batch, precision and schedule shape, at 64x64, trained
# unpaired and scored against the true pairs, every 1,000 iterations.
# 4,000 iterations = 40 epochs of the 400 training files (batch 4), about as
# many epochs as the horse2zebra recipe's 12,000 gave its larger set (45).
# No identity loss: the paper introduces it for photo generation from
# paintings (Sec. 5.2), not for its photo <-> label experiments, and on label
# maps it pulls G_A towards keeping the photo's colours. Chosen on the val
# split (cyclegan_facades_cpu_val.py) against the loss on, labels resized
# nearest and a U-Net (docs/benchmarks.md, facades).
_base_ = [
    './_base_/models/cyclegan_resnet6-32_patchgan.py',
    './_base_/datasets/aligned_64.py',
    './_base_/schedules/cpu_budget.py',
    './_base_/evaluation/facades.py',
    './_base_/default_runtime.py',
]

data_root = 'data/facades'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

model = dict(identity_loss=None)

max_iters = 4000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = dict(begin=max_iters // 2, end=max_iters)
default_hooks = dict(
    logger=dict(interval=100), checkpoint=dict(interval=1000, max_keep_ckpts=2)
)
custom_hooks = [
    dict(type='TranslationVisualizationHook', interval=1000, num_images=4),
]
