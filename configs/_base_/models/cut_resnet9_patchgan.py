# CUT (Park et al. 2020) as in the authors' code: their ResNet-9 generator and
# 70x70 PatchGAN with anti-aliased down- and upsampling (our networks with the
# antialias switch), LSGAN, PatchNCE on 5 encoder layers, no image buffer.
# The optimizers are in _base_/schedules/adam_2e-4.py: 'generators' holds G
# and F (the authors' separate Adam for F has the same settings, and Adam is
# per parameter), 'discriminators' holds D.
model = dict(
    type='CUT',
    data_preprocessor=dict(type='CycleGANDataPreprocessor'),
    generator=dict(
        type='ResnetGenerator',
        in_channels=3,
        out_channels=3,
        base_channels=64,
        num_blocks=9,
        norm_cfg=dict(type='IN', affine=False),
        use_dropout=False,  # the CUT authors' --no_dropout defaults to True
        padding_mode='reflect',
        antialias=True,  # off with their --no_antialias
        upsample_mode='blur_conv',  # 'deconv' = their --no_antialias_up
        init_cfg=dict(type='normal', gain=0.02),
    ),
    discriminator=dict(
        type='PatchDiscriminator',
        in_channels=3,
        base_channels=64,
        num_conv=3,
        norm_cfg=dict(type='IN', affine=False),
        antialias=True,
        init_cfg=dict(type='normal', gain=0.02),
    ),
    # netF mlp_sample with netF_nc 256.
    sampler=dict(type='PatchSampleF', num_channels=256, use_mlp=True),
    # Their --nce_layers 0,4,8,12,16: the padded input, the two downsampling
    # convs, residual blocks 1 and 5 (ResnetGenerator.feature_layers()[i]).
    nce_layers=[
        'stem.pad',
        'downsample.0.conv',
        'downsample.1.conv',
        'blocks.0',
        'blocks.4',
    ],
    # tau 0.07; negatives from the same image only (for unpaired data sets).
    nce_loss=dict(
        type='PatchNCELoss',
        temperature=0.07,
        all_negatives_from_minibatch=False,
        loss_weight=1.0,  # lambda_NCE
    ),
    gan_loss=dict(type='GANLoss', gan_type='lsgan', real_label=1.0, fake_label=0.0),
    gan_weight=1.0,  # lambda_GAN
    nce_idt=True,  # PatchNCE on Y too (CUT); FastCUT turns it off
    num_patches=256,
    flip_equivariance=False,  # FastCUT's regulariser
    disc_loss_weight=0.5,
    divergence_cfg=dict(factor=1000.0, patience=50, window=100, floor=1.0),
)
