"""Instance norm (no affine parameters), optionally fused with ReLU, on CPUs."""

import torch
from torch.autograd.function import once_differentiable

from .checks import check_float32_cpu
from .extension import load_cpu_ops

__all__ = ['instance_norm_relu']


def _ops():
    load_cpu_ops()
    return torch.ops.cyclegan_norm


class _InstanceNormReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, eps: float, relu: bool):
        x = x.contiguous()
        y, mean, rstd = _ops().instance_norm_relu(x, eps, relu)
        # x and the statistics give back both x_hat and the ReLU mask.
        ctx.save_for_backward(x, mean, rstd)
        ctx.relu = relu
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_y):
        x, mean, rstd = ctx.saved_tensors
        grad_x = _ops().instance_norm_relu_backward(
            grad_y.contiguous(), x, mean, rstd, ctx.relu
        )
        return grad_x, None, None


def instance_norm_relu(
    x: torch.Tensor, eps: float = 1e-5, relu: bool = False
) -> torch.Tensor:
    """``F.instance_norm(x, eps=eps)``, then ``F.relu`` if asked, with autograd.

    Each ``(n, c)`` plane is normalised by its own mean and biased variance,
    as ``nn.InstanceNorm2d(affine=False, track_running_stats=False)`` does.

    Args:
        x (Tensor): ``(N, C, *)`` float32 CPU tensor.
        eps (float): Added to the variance. Defaults to 1e-5.
        relu (bool): Apply ReLU to the result. Defaults to False.

    Returns:
        Tensor: Same shape as ``x``.

    Raises:
        ValueError: For tensors it does not handle.
    """
    if x.dim() < 3 or x.numel() == 0:
        raise ValueError(
            f'instance_norm_relu needs a non-empty (N, C, ...) tensor, but got '
            f'{tuple(x.shape)}'
        )
    check_float32_cpu('instance_norm_relu', x=x)
    return _InstanceNormReLU.apply(x, float(eps), bool(relu))
