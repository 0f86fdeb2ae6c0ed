"""Activation checkpointing of a network stage, module by module."""

import torch
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

__all__ = ['sequential_forward']


def sequential_forward(stage: nn.Sequential, x: Tensor, with_cp: bool) -> Tensor:
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
        stage (nn.Sequential): The modules.
        x (Tensor): The stage's input.
        with_cp (bool): Checkpoint each module.

    Returns:
        Tensor: The stage's output.
    """
    if not (with_cp and torch.is_grad_enabled()):
        return stage(x)
    for module in stage:
        x = checkpoint(module, x, use_reentrant=False)
    return x
