# The paper's horse2zebra recipe, computed faster on CPUs (docs/benchmarks.md):
# the generators' 3x3 convs by Winograd F(4x4, 3x3), their 7x7 head conv by
# direct kernels, their instance norm + ReLU as one kernel (the config-file
# form of `tools/train.py configs/cyclegan_h2z.py --winograd`), and each generator's
# first cycle call batched with its identity call. Same parameters, same
# algorithm up to float32 rounding, checkpoints interchangeable with
# cyclegan_h2z.py. On GPUs the convs fall back to cuDNN's own algorithms.
_base_ = './cyclegan_h2z.py'

model = dict(
    generator=dict(
        conv_cfg=dict(type='WinogradConv2d'),
        head_conv_cfg=dict(type='ThinConv2d'),
        norm_cfg=dict(type='FusedIN'),
    ),
    batch_generator_calls=True,
)
# The step frees and re-allocates hundreds of multi-MiB tensors: keep freed
# memory for reuse instead of page-faulting it in again each time.
env_cfg = dict(keep_freed_cpu_memory=True)
