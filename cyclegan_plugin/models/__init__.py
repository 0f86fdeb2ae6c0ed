"""Networks, losses, the image buffer and the CycleGAN model."""

from . import (
    buffers,
    data_preprocessors,
    discriminators,
    editors,
    generators,
    layers,
    losses,
    samplers,
    weights,
)

__all__ = [
    'buffers',
    'data_preprocessors',
    'discriminators',
    'editors',
    'generators',
    'layers',
    'losses',
    'samplers',
    'weights',
]
