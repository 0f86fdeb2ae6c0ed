"""Networks, losses, the image buffer and the CycleGAN model."""

from . import (
    buffers,
    data_preprocessors,
    discriminators,
    editors,
    generators,
    losses,
    samplers,
    utils,
)

__all__ = [
    'buffers',
    'data_preprocessors',
    'discriminators',
    'editors',
    'generators',
    'losses',
    'samplers',
    'utils',
]
