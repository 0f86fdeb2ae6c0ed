"""Optimizer wrapper constructors and wrappers."""

from .fast_adam import FastAdam
from .mixed_precision_optim_wrapper import MixedPrecisionOptimWrapper
from .multi_optim_wrapper_constructor import MultiOptimWrapperConstructor

__all__ = ['FastAdam', 'MixedPrecisionOptimWrapper', 'MultiOptimWrapperConstructor']
