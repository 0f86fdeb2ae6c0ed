# The paper's optimizers: Adam, lr 2e-4, betas (0.5, 0.999), one for the two
# generators and one for the two discriminators. Inherited by the schedules.
# FastAdam is Adam with torch's fused kernel where it exists (torch >= 2.4 on
# CPUs, CUDA everywhere): the same updates in one pass over the weights.
# --amp turns both wrappers into MixedPrecisionOptimWrapper. The scope prefix
# finds it also when MMagic's optimizer constructor builds it (configs/mmagic).
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generators=dict(
        type='OptimWrapper',
        optimizer=dict(type='cyclegan_plugin.FastAdam', lr=2e-4, betas=(0.5, 0.999)),
    ),
    discriminators=dict(
        type='OptimWrapper',
        optimizer=dict(type='cyclegan_plugin.FastAdam', lr=2e-4, betas=(0.5, 0.999)),
    ),
)
