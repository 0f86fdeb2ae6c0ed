"""Metrics for image translation."""

from . import metrics

__all__ = ['metrics']
