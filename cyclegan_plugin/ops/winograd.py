"""Winograd F(4x4, 3x3) convolution on CPUs: the autograd functions.

A stride-1 3x3 convolution computed tile by tile in the Winograd domain needs
4x fewer multiplications than the direct method (36 instead of 144 per 4x4
output tile and channel pair; Lavin & Gray 2016). The multiplications become
36 matrix products, run by ``torch.bmm`` forward and backward; the linear maps
around them are C++ kernels (``csrc/winograd_f43*``) built on first use with
PyTorch's extension loader. The result equals ``F.conv2d`` up to float32
rounding (about 1e-5 relative; F(4, 3)'s transforms amplify rounding a little
more than the direct method does).

oneDNN, which PyTorch uses for CPU convolutions, has no Winograd kernels on
AVX2 machines and only forward ones on AVX-512; cuDNN picks Winograd by itself
on GPUs, so there :class:`~cyclegan_plugin.ops.WinogradConv2d` uses
the native convolution.
"""

import contextlib
import threading
from typing import Dict, Iterator, Literal, Optional

import torch
from torch.autograd.function import once_differentiable

from .checks import check_float32_cpu
from .extension import load_cpu_ops

__all__ = [
    'PAD_MODES',
    'load_winograd_ops',
    'reuse_transformed_weights',
    'reusing_transformed_weights',
    'winograd_conv2d',
    'winograd_weight',
]

PadMode = Literal['zeros', 'reflect', 'replicate']
PAD_MODES: Dict[str, int] = {'zeros': 0, 'reflect': 1, 'replicate': 2}
_TILES = 36  # 6x6 Winograd-domain points per tile

_reuse = threading.local()


def load_winograd_ops():
    """Build (once per machine) and load the C++ kernels (:func:`load_cpu_ops`).

    Returns:
        The ``torch.ops.cyclegan_winograd`` namespace.

    Raises:
        RuntimeError: If the kernels cannot be built, with what to do.
    """
    load_cpu_ops()
    return torch.ops.cyclegan_winograd


class _WeightTransform(torch.autograd.Function):
    """``U = G w G^T`` per filter: ``(K, C, 3, 3) -> (36, K, C)``."""

    @staticmethod
    def forward(ctx, weight: torch.Tensor) -> torch.Tensor:
        return load_winograd_ops().weight_transform(weight.contiguous())

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_u: torch.Tensor) -> torch.Tensor:
        return load_winograd_ops().weight_adjoint(grad_u.contiguous())


class _TiledConv(torch.autograd.Function):
    """The convolution given transformed weights ``U``.

    Forward: ``V = B^T d B`` per input tile, ``M = U V`` (36 matrix products
    over channels), ``y = A^T M A`` per output tile, plus the bias. Backward
    runs the adjoint of each step: two more sets of matrix products
    (``U^T gM`` for the input, ``gM V^T`` for the weights).
    """

    @staticmethod
    def forward(ctx, x, u, bias, padding: int, mode: int):
        ops = load_winograd_ops()
        x = x.contiguous()
        n, c, h, w = x.shape
        k = u.shape[1]
        v = ops.input_transform(x, padding, mode)
        th, tw = v.shape[-2:]
        m = torch.bmm(u, v.view(_TILES, c, -1)).view(_TILES, k, n, th, tw)
        y = ops.output_transform(m, bias, h + 2 * padding - 2, w + 2 * padding - 2)
        ctx.save_for_backward(u, v)
        ctx.geometry = (h, w, padding, mode)
        ctx.has_bias = bias is not None
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_y):
        ops = load_winograd_ops()
        u, v = ctx.saved_tensors
        h, w, padding, mode = ctx.geometry
        _, c, n, th, tw = v.shape
        k = u.shape[1]
        grad_y = grad_y.contiguous()
        grad_m = ops.output_adjoint(grad_y, th, tw).view(_TILES, k, -1)
        grad_x = grad_u = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_v = torch.bmm(u.transpose(1, 2), grad_m).view(_TILES, c, n, th, tw)
            grad_x = ops.input_adjoint(grad_v, h, w, padding, mode)
        if ctx.needs_input_grad[1]:
            grad_u = torch.bmm(grad_m, v.view(_TILES, c, -1).transpose(1, 2))
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = grad_y.sum((0, 2, 3))
        return grad_x, grad_u, grad_bias, None, None


def winograd_weight(weight: torch.Tensor) -> torch.Tensor:
    """Transform 3x3 filters into the Winograd domain (differentiable).

    Args:
        weight (Tensor): ``(K, C, 3, 3)`` float32 CPU filters.

    Returns:
        Tensor: ``(36, K, C)``, to pass as ``winograd_conv2d(u=...)``.
    """
    return _WeightTransform.apply(weight)


def winograd_conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: Optional[torch.Tensor] = None,
    padding: int = 1,
    padding_mode: PadMode = 'zeros',
    u: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    """Stride-1 3x3 convolution by Winograd F(4x4, 3x3), with autograd.

    Computes what ``F.conv2d(F.pad(x, [padding] * 4, mode=padding_mode),
    weight, bias)`` computes (``padding_mode='zeros'``: ``F.conv2d(x, weight,
    bias, padding=padding)``), without a padded copy of ``x``.

    Args:
        x (Tensor): ``(N, C, H, W)`` float32 CPU input.
        weight (Tensor): ``(K, C, 3, 3)`` filters.
        bias (Tensor, optional): ``(K,)``. Defaults to None.
        padding (int): Pixels added on each side, 0 to 2. Defaults to 1.
        padding_mode (str): 'zeros', 'reflect' or 'replicate'. Defaults to
            'zeros'.
        u (Tensor, optional): ``winograd_weight(weight)``, when the caller
            reuses it across calls. Defaults to None (computed here).

    Returns:
        Tensor: ``(N, K, H + 2 padding - 2, W + 2 padding - 2)``.

    Raises:
        ValueError: For shapes, dtypes, devices or modes it does not handle.
    """
    if padding_mode not in PAD_MODES:
        raise ValueError(
            f'padding_mode must be one of {sorted(PAD_MODES)}, but got {padding_mode!r}'
        )
    if not 0 <= padding <= 2:
        raise ValueError(f'padding must be 0, 1 or 2, but got {padding}')
    if x.dim() != 4 or weight.dim() != 4 or tuple(weight.shape[2:]) != (3, 3):
        raise ValueError(
            'winograd_conv2d needs x (N, C, H, W) and weight (K, C, 3, 3), but '
            f'got x {tuple(x.shape)} and weight {tuple(weight.shape)}'
        )
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f'weight expects {weight.shape[1]} input channels, but x has {x.shape[1]}'
        )
    check_float32_cpu('winograd_conv2d', x=x, weight=weight, bias=bias)
    if padding_mode == 'reflect' and min(x.shape[-2:]) <= padding:
        raise ValueError(
            f'reflect padding {padding} needs H and W > {padding}, but got '
            f'x {tuple(x.shape)}'
        )
    if min(x.shape[-2:]) + 2 * padding < 3:
        raise ValueError(
            f'x {tuple(x.shape)} with padding {padding} is smaller than the 3x3 kernel'
        )
    if u is None:
        u = winograd_weight(weight)
    return _TiledConv.apply(x, u, bias, padding, PAD_MODES[padding_mode])


@contextlib.contextmanager
def reuse_transformed_weights() -> Iterator[None]:
    """Within this block, each Winograd conv transforms its weights once.

    A generator called several times with the same weights (CycleGAN calls
    each generator three times per iteration) then computes ``G w G^T`` once,
    and autograd sums the gradients of all calls before transforming them
    back once. A weight changed in place inside the block (its version
    counter moves) is transformed anew. Outside such a block nothing is
    cached, so weights updated by any means are always seen.
    """
    depth = getattr(_reuse, 'depth', 0)
    if depth == 0:
        _reuse.cache = {}
    _reuse.depth = depth + 1
    try:
        yield
    finally:
        _reuse.depth = depth
        if depth == 0:
            _reuse.cache = {}


def reusing_transformed_weights(weight: torch.Tensor) -> torch.Tensor:
    """``winograd_weight(weight)``, reused inside :func:`reuse_transformed_weights`."""
    if not getattr(_reuse, 'depth', 0):
        return winograd_weight(weight)
    key = id(weight)
    state = (weight._version, weight.data_ptr(), torch.is_grad_enabled())
    hit = _reuse.cache.get(key)
    if hit is not None and hit[0] == state and hit[1] is weight:
        return hit[2]
    u = winograd_weight(weight)
    _reuse.cache[key] = (state, weight, u)
    return u
