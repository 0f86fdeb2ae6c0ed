"""Hooks, optimizer constructors and runner helpers."""

from . import hooks, optimizers, runner

__all__ = ['hooks', 'optimizers', 'runner']
