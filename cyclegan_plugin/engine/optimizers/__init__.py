"""Optimizer wrapper constructors and wrappers."""

from .mixed_precision_optim_wrapper import MixedPrecisionOptimWrapper
from .multi_optim_wrapper_constructor import MultiOptimWrapperConstructor

__all__ = ['MixedPrecisionOptimWrapper', 'MultiOptimWrapperConstructor']
