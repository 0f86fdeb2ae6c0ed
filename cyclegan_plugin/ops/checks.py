"""The argument check every CPU kernel's Python entry point makes."""

from typing import Optional

import torch

__all__ = ['check_float32_cpu']


def check_float32_cpu(op: str, **tensors: Optional[torch.Tensor]) -> None:
    """Refuse tensors the C++ kernels do not take, naming the argument.

    Args:
        op (str): The operator's name, for the message.
        **tensors: The arguments by name; None (an absent bias) passes.

    Raises:
        ValueError: If a tensor is not float32 or not on the CPU.
    """
    for name, t in tensors.items():
        if t is not None and (t.device.type != 'cpu' or t.dtype != torch.float32):
            raise ValueError(
                f'{op} runs on float32 CPU tensors, but {name} is {t.dtype} on '
                f'{t.device}'
            )
