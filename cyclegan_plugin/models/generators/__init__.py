"""Generators: the authors' ResNet and U-Net image-to-image networks."""

from .residual_block import ResidualBlock
from .resnet_generator import ResnetGenerator
from .unet_generator import UnetGenerator

__all__ = ['ResidualBlock', 'ResnetGenerator', 'UnetGenerator']
