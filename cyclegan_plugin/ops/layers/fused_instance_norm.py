"""``nn.InstanceNorm2d`` (no affine parameters) with an optional ReLU, fused on CPUs."""

import torch.nn.functional as F
from torch import Tensor, nn

from ..instance_norm import instance_norm_relu
from .cpu_kernel_mixin import CPUKernelMixin

__all__ = ['FusedInstanceNorm2d']


class FusedInstanceNorm2d(CPUKernelMixin, nn.InstanceNorm2d):
    """The authors' instance norm (``affine=False``), optionally with the ReLU after it.

    On float32 CPU tensors it runs as one C++ kernel per pass
    (:func:`cyclegan_plugin.ops.instance_norm_relu`), which saves only the
    input and two numbers per plane for the backward pass; with ``relu=True``
    the ReLU is part of it, one pass instead of PyTorch's two ops
    (``docs/benchmarks.md`` has the timings).
    Elsewhere (GPUs, autocast, other dtypes) it is ``nn.InstanceNorm2d``
    followed by ``F.relu`` (:class:`CPUKernelMixin`). It has no parameters or
    buffers, like the ``nn.InstanceNorm2d`` it replaces, so checkpoints are
    interchangeable. :func:`~cyclegan_plugin.ops.convert_to_cpu_kernels`
    folds a ReLU that follows it into it.

    Args:
        num_features (int): Channels.
        eps (float): Added to the variance. Defaults to 1e-5.
        relu (bool): Apply ReLU to the output. Defaults to False.
        **kwargs: Other ``nn.InstanceNorm2d`` arguments; ``affine`` and
            ``track_running_stats`` must stay False.

    Raises:
        ValueError: If ``affine`` or ``track_running_stats`` is set.
    """

    def __init__(
        self, num_features: int, eps: float = 1e-5, relu: bool = False, **kwargs
    ) -> None:
        super().__init__(num_features, eps=eps, **kwargs)
        if self.affine or self.track_running_stats:
            raise ValueError(
                'FusedInstanceNorm2d is instance norm without affine parameters or '
                f'running statistics, but got affine={self.affine}, '
                f'track_running_stats={self.track_running_stats}; use '
                'nn.InstanceNorm2d for those.'
            )
        self.relu = relu

    def kernel_applies(self, x: Tensor) -> bool:
        """Whether the input is a batch of images ``(N, C, H, W)``."""
        return x.dim() == 4

    def kernel_forward(self, x: Tensor) -> Tensor:
        """Normalise each sample's channels (then rectify, with ``relu``).

        Args:
            x (Tensor): ``(N, C, H, W)`` float32 on the CPU.

        Returns:
            Tensor: Same shape.
        """
        return instance_norm_relu(x, self.eps, self.relu)

    def native_forward(self, x: Tensor) -> Tensor:
        """``nn.InstanceNorm2d``, then ``F.relu`` with ``relu``."""
        y = super().native_forward(x)
        return F.relu(y) if self.relu else y

    def extra_repr(self) -> str:
        return super().extra_repr() + (', relu=True' if self.relu else '')
