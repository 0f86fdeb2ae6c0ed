"""Direct convolutions for layers with few channels on one side, on CPUs.

The ResNet generator's 7x7 stem (3 -> 64 channels) and head (64 -> 3) are
convolutions oneDNN handles poorly in two of their three passes: with three
output channels (the head's forward, the stem's input gradient) its kernels
run at about a fifth of their usual speed. ``csrc/thin_conv.cpp`` computes
them directly, holding 16-24 output pixels of up to four channels in registers;
the input gradient is the same kernel on the padded output gradient with the
flipped filters, the weight gradient a kernel of its own.
"""

from typing import Optional

import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

from .checks import check_float32_cpu
from .extension import load_cpu_ops

__all__ = ['THIN_CHANNELS', 'thin_conv2d']

# A side with at most this many channels (RGB, RGBA, grey) makes a conv thin.
THIN_CHANNELS = 4


def _ops():
    load_cpu_ops()
    return torch.ops.cyclegan_conv


class _ThinConv(torch.autograd.Function):
    """Valid stride-1 correlation by the direct kernels, with autograd."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        x, weight = x.contiguous(), weight.contiguous()
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return _ops().thin_conv2d(x, weight, bias)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_y):
        x, weight = ctx.saved_tensors
        kh, kw = weight.shape[-2:]
        grad_y = grad_y.contiguous()
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            # x's gradient is the full correlation of grad_y with the flipped
            # filters, their input and output channels swapped.
            padded = F.pad(grad_y, [kw - 1, kw - 1, kh - 1, kh - 1])
            flipped = weight.flip(2, 3).transpose(0, 1).contiguous()
            grad_x = _ops().thin_conv2d(padded, flipped, None)
        if ctx.needs_input_grad[1]:
            grad_w = _ops().thin_conv2d_weight(grad_y, x, kh, kw)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad_y.sum((0, 2, 3))
        return grad_x, grad_w, grad_b


def thin_conv2d(
    x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None
) -> torch.Tensor:
    """Valid stride-1 convolution (``F.conv2d(x, weight, bias)``), with autograd.

    Fast when the input or the output has at most :data:`THIN_CHANNELS`
    channels; correct for any channel counts.

    Args:
        x (Tensor): ``(N, C, H, W)`` float32 CPU input, already padded.
        weight (Tensor): ``(K, C, kh, kw)`` filters, ``kw <= 8``.
        bias (Tensor, optional): ``(K,)``. Defaults to None.

    Returns:
        Tensor: ``(N, K, H - kh + 1, W - kw + 1)``.

    Raises:
        ValueError: For shapes, dtypes or devices it does not handle.
    """
    if x.dim() != 4 or weight.dim() != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(
            'thin_conv2d needs x (N, C, H, W) and weight (K, C, kh, kw) with the '
            f'same C, but got x {tuple(x.shape)} and weight {tuple(weight.shape)}'
        )
    if (
        weight.shape[-1] > 8
        or x.shape[-2] < weight.shape[-2]
        or (x.shape[-1] < weight.shape[-1])
    ):
        raise ValueError(
            f'thin_conv2d handles kernels up to 8 wide that fit in x, but got '
            f'weight {tuple(weight.shape)} for x {tuple(x.shape)}'
        )
    check_float32_cpu('thin_conv2d', x=x, weight=weight, bias=bias)
    return _ThinConv.apply(x, weight, bias)
