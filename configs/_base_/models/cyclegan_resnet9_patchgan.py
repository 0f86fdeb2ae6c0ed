# The paper's CycleGAN (Zhu et al. 2017) as in the authors' code: ResNet-9
# generators, 70x70 PatchGANs, LSGAN, cycle lambda 10, identity 0.5 * lambda,
# buffer 50. The optimizers are in _base_/schedules/adam_2e-4.py, so that
# MMagic's runtime base (which has its own optim_wrapper) can sit beside this.
model = dict(
    type='CycleGAN',
    data_preprocessor=dict(type='CycleGANDataPreprocessor'),
    generator=dict(
        type='ResnetGenerator',
        in_channels=3,
        out_channels=3,
        base_channels=64,
        num_blocks=9,  # 6 for 128x128 training, as the authors do
        norm_cfg=dict(type='IN', affine=False),
        use_dropout=False,
        padding_mode='reflect',
        upsample_mode='deconv',  # 'resize_conv' removes checkerboard artifacts
        init_cfg=dict(type='normal', gain=0.02),
    ),
    discriminator=dict(
        type='PatchDiscriminator',
        in_channels=3,
        base_channels=64,
        num_conv=3,  # 3 strided layers = 70x70 receptive field
        norm_cfg=dict(type='IN', affine=False),
        init_cfg=dict(type='normal', gain=0.02),
    ),
    gan_loss=dict(type='GANLoss', gan_type='lsgan', real_label=1.0, fake_label=0.0),
    cycle_loss=dict(type='L1Loss', loss_weight=10.0),  # lambda
    # lambda_identity (0.5) * lambda (10): the authors' code; MMagic uses 0.5.
    identity_loss=dict(type='L1Loss', loss_weight=5.0),
    buffer=dict(type='ImageBuffer', buffer_size=50),
    disc_loss_weight=0.5,  # D learns at half the rate of G (authors' 0.5)
    # A run whose loss_G or loss_D stays above factor x its running median
    # (over `window` iterations, at least `floor`) for `patience` iterations
    # in a row has diverged and stops; normal training stays orders of
    # magnitude below. factor=None turns the check off.
    divergence_cfg=dict(factor=1000.0, patience=50, window=100, floor=1.0),
    # Speed options are CycleGAN's arguments (channels_last, compile_cfg,
    # cpu_kernels), off here; see docs/benchmarks.md and cyclegan_h2z_fast-cpu.py.
)
