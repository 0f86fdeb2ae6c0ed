"""Datasets and transforms for unpaired and aligned image translation."""

from . import transforms

__all__ = ['transforms']
