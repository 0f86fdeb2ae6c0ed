"""The CycleGAN model and its generator/discriminator pairs."""

from .cycle_discriminators import CycleDiscriminators
from .cycle_gan import CycleGAN
from .cycle_generators import CycleGenerators
from .nonfinite_guard import NonFiniteGuard

__all__ = ['CycleDiscriminators', 'CycleGAN', 'CycleGenerators', 'NonFiniteGuard']
