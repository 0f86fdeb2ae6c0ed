"""Discriminators: the authors' PatchGAN and PixelGAN."""

from .patch_discriminator import PatchDiscriminator
from .pixel_discriminator import PixelDiscriminator

__all__ = ['PatchDiscriminator', 'PixelDiscriminator']
