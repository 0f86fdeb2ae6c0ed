"""The CycleGAN and CUT models and their network groups."""

from .base_translation_model import BaseTranslationModel
from .cut import CUT
from .cut_discriminator import CUTDiscriminator
from .cut_generators import CUTGenerators
from .cycle_discriminators import CycleDiscriminators
from .cycle_gan import CycleGAN
from .cycle_generators import CycleGenerators
from .nonfinite_guard import NonFiniteGuard

__all__ = [
    'BaseTranslationModel',
    'CUT',
    'CUTDiscriminator',
    'CUTGenerators',
    'CycleDiscriminators',
    'CycleGAN',
    'CycleGenerators',
    'NonFiniteGuard',
]
