"""Activation checkpointing of a network stage, module by module."""

from typing import Iterable

import torch
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

__all__ = ['sequential_forward']


def sequential_forward(stage: Iterable[nn.Module], x: Tensor, with_cp: bool) -> Tensor:
    """Run ``stage``'s modules in order, each checkpointed when ``with_cp``.

    A checkpointed module keeps only its input for the backward pass and runs
    its forward again there, trading compute for the memory of its
    intermediate activations. PyTorch's non-reentrant implementation is used:
    it works with DDP, autocast (the recomputation sees the same autocast
    state), frozen parameters (a discriminator in the generator step) and
    in-place ReLUs, and it restores the RNG state so dropout draws the same
    mask twice. Without gradients (inference, validation) nothing is
    checkpointed.

    Args:
        stage (Iterable[nn.Module]): The modules, e.g. an ``nn.Sequential``
            (its children are the units), or ``(module,)`` to checkpoint one
            ``nn.Sequential`` whole (a unit whose in-place activation must
            not be split from the layer it modifies).
        x (Tensor): The stage's input.
        with_cp (bool): Checkpoint each module.

    Returns:
        Tensor: The stage's output.
    """
    with_cp = with_cp and torch.is_grad_enabled()
    for module in stage:
        x = checkpoint(module, x, use_reentrant=False) if with_cp else module(x)
    return x
