# The paper's horse2zebra recipe, computed faster on CPUs (docs/benchmarks.md):
# the generators' 3x3 convs by Winograd F(4x4, 3x3), their 7x7 head conv by
# direct kernels, their instance norm + ReLU as one kernel, freed memory kept
# for reuse (the config-file form of `tools/train.py configs/cyclegan_h2z.py
# --winograd`). Same parameters, same algorithm up to float32 rounding,
# checkpoints interchangeable with cyclegan_h2z.py. On GPUs the layers fall
# back to PyTorch's own ops.
_base_ = './cyclegan_h2z.py'

model = dict(cpu_kernels=True)
