# The paper's CycleGAN sized for short runs on small images (64-128 px):
# ResNet-6 generators (the authors' depth below 256 px) of width 32 with
# resize-convolution upsampling, a PatchGAN of width 64 with 34x34 patches.
# Why: at 64 px the residual blocks work on 16x16 maps, where 9 blocks add cost
# but little receptive field; transposed convolutions leave a checkerboard
# texture on the pictures of short runs, which Inception features punish.
# The paper's 70x70 patch sees the whole of a 64 px image (one judgement per
# image, not per patch); 34x34 (num_conv=2) was chosen over 16x16 and 70x70 on
# horse2zebra's held-out training images (cyclegan_h2z_cpu_holdout.py;
# docs/benchmarks.md, "Choosing the discriminator's patch size").
_base_ = './cyclegan_resnet9_patchgan.py'

model = dict(
    generator=dict(base_channels=32, num_blocks=6, upsample_mode='resize_conv'),
    discriminator=dict(base_channels=64, num_conv=2),
)
