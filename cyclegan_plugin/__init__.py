"""CycleGAN components for MMEngine and MMagic: unpaired image-to-image translation.

Importing the package registers every component in the ``cyclegan_plugin``
scope (see :mod:`cyclegan_plugin.registry`).
"""

from . import apis, datasets, engine, evaluation, models, visualization
from .version import __version__

__all__ = [
    'apis',
    'datasets',
    'engine',
    'evaluation',
    'models',
    'visualization',
    '__version__',
]
