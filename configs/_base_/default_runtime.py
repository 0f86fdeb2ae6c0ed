# Runtime shared by every config: scope, hooks, logging, distributed wrapper.
default_scope = 'cyclegan_plugin'
# Registers the plugin when the config is used from MMEngine/MMagic tools too.
custom_imports = dict(imports=['cyclegan_plugin'], allow_failed_imports=False)
# Atomic checkpoints, weights-only resume, RNG states restored (see RobustRunner).
runner_type = 'RobustRunner'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # save_last: a crash never costs more than `interval` iterations.
    # RobustCheckpointHook: MMEngine's options; old checkpoints are deleted
    # only after the new one is complete, so a kill never leaves none.
    checkpoint=dict(
        type='RobustCheckpointHook',
        interval=5000,
        by_epoch=False,
        max_keep_ckpts=5,
        save_last=True,
    ),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)

env_cfg = dict(
    # Inputs have a fixed size in training: let cuDNN pick the fastest kernels.
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # nccl on GPUs; RobustRunner falls back to gloo when there is no CUDA.
    # timeout: seconds a collective waits for the other processes before the
    # job fails (gloo's own default is 30 min). It must cover the longest time
    # one rank legitimately works alone while the others wait at the next
    # collective: rank 0 writing a checkpoint (a few hundred MB with the Adam
    # states, maybe on a network disk) and the metrics of a validation, where
    # rank 0 alone extracts the real images' Inception features the first
    # time. Ten minutes leaves room for those; a hung or stopped process then
    # ends the job in minutes. Raise it for FID on a large test set on CPUs.
    dist_cfg=dict(backend='nccl', timeout=600),
)

# Generators and discriminators have separate optimizers: each gets its own
# DDP wrapper, so each step's backward synchronises only its own gradients.
model_wrapper_cfg = dict(
    type='MMSeparateDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False,
    # DDP takes each network's own device: the Runner's default device_ids
    # (the local rank) is refused for CPU modules (gloo training).
    device_ids=None,
)
# Batch-norm variants (norm_cfg type='BN') become SyncBatchNorm under DDP, so
# the statistics cover the global batch; instance norm is left as it is.
sync_bn = 'torch'

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

log_processor = dict(type='LogProcessor', window_size=100, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=2017, deterministic=False)
