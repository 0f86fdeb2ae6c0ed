"""Turning a PyTorch network into one computed by the plugin's CPU kernels."""

import threading
from contextlib import AbstractContextManager
from typing import List, Optional, Tuple

from torch import nn

from .layers import FusedInstanceNorm2d, ThinConv2d, WinogradConv2d
from .thin_conv import THIN_CHANNELS
from .winograd import reuse_transformed_weights

__all__ = ['convert_to_cpu_kernels']

# The weight-cache scopes the converted modules' forward calls are in, per
# thread (autograd and DDP may run a forward on another thread).
_scopes = threading.local()


def _scope_stack() -> List[AbstractContextManager]:
    if not hasattr(_scopes, 'stack'):
        _scopes.stack = []
    return _scopes.stack


def _enter_weight_scope(module: nn.Module, args: Tuple) -> None:
    scope = reuse_transformed_weights()
    scope.__enter__()
    _scope_stack().append(scope)


def _exit_weight_scope(module: nn.Module, args: Tuple, output: object) -> None:
    stack = _scope_stack()
    if stack:
        stack.pop().__exit__(None, None, None)


def _has_weight_scope(module: nn.Module) -> bool:
    return any(h is _enter_weight_scope for h in module._forward_pre_hooks.values())


def _conv_as(cls: type, conv: nn.Conv2d) -> Optional[nn.Conv2d]:
    """``conv`` as ``cls`` sharing its parameters, or None if ``cls`` refuses it."""
    try:
        # On the meta device nothing is allocated or initialised: the
        # parameters are ``conv``'s own, put in below.
        new = cls(
            conv.in_channels,
            conv.out_channels,
            conv.kernel_size,
            stride=conv.stride,
            padding=conv.padding,
            dilation=conv.dilation,
            groups=conv.groups,
            bias=conv.bias is not None,
            padding_mode=conv.padding_mode,
            device='meta',
        )
    except ValueError:
        return None
    new.weight = conv.weight
    new.bias = conv.bias
    new.train(conv.training)
    return new


def _convert(
    module: nn.Module, winograd: bool, thin_conv: bool, fused_norm: bool
) -> nn.Module:
    """The replacement of one module (itself if none), children not visited."""
    if type(module) is nn.Conv2d:
        new = _conv_as(WinogradConv2d, module) if winograd else None
        # Thin outputs of wider inputs only: for a thin input (the 3 -> 64
        # stem) oneDNN is as fast as the direct kernels.
        if (
            new is None
            and thin_conv
            and module.out_channels <= THIN_CHANNELS < module.in_channels
        ):
            new = _conv_as(ThinConv2d, module)
        return module if new is None else new
    if (
        fused_norm
        and type(module) is nn.InstanceNorm2d
        and not module.affine
        and not module.track_running_stats
    ):
        new = FusedInstanceNorm2d(
            module.num_features, eps=module.eps, momentum=module.momentum
        )
        return new.train(module.training)
    return module


def _fold_relus(sequential: nn.Sequential) -> None:
    """Fold each ReLU that follows a fused instance norm into it."""
    names = list(sequential._modules)
    for name, after in zip(names, names[1:]):
        norm, relu = sequential._modules[name], sequential._modules[after]
        if (
            type(norm) is FusedInstanceNorm2d
            and not norm.relu
            and type(relu) is nn.ReLU
        ):
            # ReLU has no state: the Identity keeps the state_dict and the
            # children's names.
            norm.relu = True
            sequential._modules[after] = nn.Identity()


def _convert_tree(
    module: nn.Module, winograd: bool, thin_conv: bool, fused_norm: bool
) -> nn.Module:
    module = _convert(module, winograd, thin_conv, fused_norm)
    for name, child in module.named_children():
        new = _convert_tree(child, winograd, thin_conv, fused_norm)
        if new is not child:
            setattr(module, name, new)
    if fused_norm and isinstance(module, nn.Sequential):
        _fold_relus(module)
    return module


def convert_to_cpu_kernels(
    module: nn.Module,
    *,
    winograd: bool = True,
    thin_conv: bool = True,
    fused_norm: bool = True,
) -> nn.Module:
    """Compute ``module`` with the plugin's CPU kernels, in place.

    In the spirit of ``nn.SyncBatchNorm.convert_sync_batchnorm``: every
    ``nn.Conv2d`` that Winograd F(4, 3) computes (3x3, stride 1, dilation 1,
    groups 1, one padding of 0-2) becomes a :class:`WinogradConv2d`; every
    other stride-1 ``nn.Conv2d`` from more than ``THIN_CHANNELS`` inputs to at
    most that many outputs (the ResNet generator's 7x7 head to RGB) a
    :class:`ThinConv2d`; every
    ``nn.InstanceNorm2d`` without affine parameters or running statistics a
    :class:`FusedInstanceNorm2d`, which also computes an ``nn.ReLU`` that
    follows it in an ``nn.Sequential`` (the ReLU becomes ``nn.Identity``).
    Subclasses of those layers are left as they are. The new layers hold the
    old ones' parameter tensors, so the state_dict keys and values, the
    device and any optimizer built on the parameters stay valid, and
    checkpoints load into the converted and the unconverted model alike.
    Each converted layer computes by its kernel on float32 CPU tensors
    outside autocast and by PyTorch's op otherwise.

    ``module``'s forward calls also get a weight-cache scope
    (:func:`reuse_transformed_weights`, by forward pre/post hooks): a network
    called several times in one forward (CycleGAN's generators, three times
    each) transforms its Winograd weights once. Converting again changes
    nothing.

    Args:
        module (nn.Module): The network (e.g. a CycleGAN's generators).
        winograd (bool): Convert the 3x3 convs. Defaults to True.
        thin_conv (bool): Convert the thin-output convs. Defaults to True.
        fused_norm (bool): Convert the instance norms (+ ReLU). Defaults to
            True.

    Returns:
        nn.Module: ``module``, or its replacement if ``module`` itself is one
        of the layers converted.
    """
    module = _convert_tree(module, winograd, thin_conv, fused_norm)
    if not _has_weight_scope(module):
        module.register_forward_pre_hook(_enter_weight_scope)
        # always_call: a forward that raises still leaves the scope.
        module.register_forward_hook(_exit_weight_scope, always_call=True)
    return module
