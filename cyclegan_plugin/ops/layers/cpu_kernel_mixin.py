"""The rule of every fast-path layer: our kernel where it applies, else PyTorch's."""

import torch
from torch import Tensor

__all__ = ['CPUKernelMixin', 'autocast_on']


def autocast_on(device_type: str) -> bool:
    """Whether autocast is enabled for ``device_type`` (any torch >= 2.0)."""
    try:
        return torch.is_autocast_enabled(device_type)
    except TypeError:  # torch < 2.4 has no device argument
        return device_type == 'cpu' and torch.is_autocast_cpu_enabled()


class CPUKernelMixin:
    """Runs a layer by the plugin's C++ kernel on float32 CPU tensors, else natively.

    Put it before the PyTorch layer class it speeds up (``class
    WinogradConv2d(CPUKernelMixin, nn.Conv2d)``); the layer keeps that class's
    parameters, state_dict and initialisation. ``forward`` calls
    :meth:`kernel_forward` when the input and the layer's own parameters are
    float32 on the CPU, autocast is off for the CPU (autocast picks its own
    dtypes, so the native op must see it) and :meth:`kernel_applies` agrees;
    otherwise :meth:`native_forward`, i.e. the PyTorch layer. GPUs thus keep
    cuDNN's algorithms and mixed precision keeps its casts.
    """

    def kernel_applies(self, x: Tensor) -> bool:
        """Whether the kernel computes this input (beyond dtype and device).

        Args:
            x (Tensor): The input, already float32 on the CPU.

        Returns:
            bool: True by default; layers narrow it to the shapes their kernel
            takes.
        """
        return True

    def kernel_forward(self, x: Tensor) -> Tensor:
        """The layer computed by the C++ kernel.

        Args:
            x (Tensor): A float32 CPU input the kernel applies to.

        Returns:
            Tensor: What :meth:`native_forward` returns, up to float32 rounding.
        """
        raise NotImplementedError

    def native_forward(self, x: Tensor) -> Tensor:
        """The layer computed by PyTorch (the class after this mixin).

        Args:
            x (Tensor): Any input the PyTorch layer takes.

        Returns:
            Tensor: The PyTorch layer's output.
        """
        return super().forward(x)

    # TorchDynamo cannot trace into the C++ kernels; with compile_cfg the
    # layers around each of these run compiled, these run as they are.
    @torch.compiler.disable
    def forward(self, x: Tensor) -> Tensor:
        """Compute the layer by the kernel where it applies, else natively.

        Args:
            x (Tensor): The input.

        Returns:
            Tensor: The output.
        """
        if (
            x.device.type == 'cpu'
            and x.dtype == torch.float32
            and all(p.dtype == torch.float32 for p in self.parameters(recurse=False))
            and not autocast_on('cpu')
            and self.kernel_applies(x)
        ):
            return self.kernel_forward(x)
        return self.native_forward(x)
