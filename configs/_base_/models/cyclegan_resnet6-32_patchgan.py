# The paper's CycleGAN sized for short runs on small images (64-128 px):
# ResNet-6 generators (the authors' depth below 256 px) of width 32 with
# resize-convolution upsampling, the paper's 70x70 PatchGAN of width 64.
# Why: at 64 px the residual blocks work on 16x16 maps, where 9 blocks add cost
# but little receptive field; transposed convolutions leave a checkerboard
# texture on the pictures of short runs, which Inception features punish.
_base_ = './cyclegan_resnet9_patchgan.py'

model = dict(
    generator=dict(base_channels=32, num_blocks=6, upsample_mode='resize_conv'),
    discriminator=dict(base_channels=64),
)
