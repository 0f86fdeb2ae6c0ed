# The synthetic demo with both optimizer wrappers in bf16 mixed precision: the
# config-file form of `tools/train.py configs/cyclegan_demo.py --amp`. Used in
# docs/benchmarks.md to check that bf16 learns as well as fp32.
# (fp16 with loss scaling, on GPUs: dtype='float16'.)
_base_ = './cyclegan_demo.py'

optim_wrapper = dict(
    generators=dict(type='MixedPrecisionOptimWrapper', dtype='bfloat16'),
    discriminators=dict(type='MixedPrecisionOptimWrapper', dtype='bfloat16'),
)
