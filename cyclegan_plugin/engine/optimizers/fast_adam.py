"""Adam with torch's fused kernel wherever the installed torch has one."""

from typing import Iterable, Set, Tuple, Union

import torch

from cyclegan_plugin.registry import OPTIMIZERS


def _fused_devices() -> Set[str]:
    try:
        from torch.utils._foreach_utils import _get_fused_kernels_supported_devices
    except ImportError:  # torch < 2.1
        return {'cuda'}
    return set(_get_fused_kernels_supported_devices())


def _as_list(params: Union[torch.Tensor, Iterable[torch.Tensor]]) -> list:
    return [params] if isinstance(params, torch.Tensor) else list(params)


@OPTIMIZERS.register_module()
class FastAdam(torch.optim.Adam):
    """``torch.optim.Adam`` running the fused kernel where torch has one.

    Adam's default implementation on the CPU makes about ten passes over every
    parameter-sized tensor per step; the fused kernel makes one
    (``docs/benchmarks.md`` has the timings). The update rule is Adam's;
    results agree to floating-point rounding. torch >= 2.4 has a fused kernel
    on the CPU, older versions (e.g. 2.1, the MMagic stack) only on CUDA:
    elsewhere this is plain ``torch.optim.Adam``. The choice is also kept across
    ``load_state_dict``, so resuming a checkpoint saved by another torch
    version works.

    Args:
        params (Iterable): Parameters or parameter groups.
        lr (float): Learning rate. Defaults to 1e-3.
        betas (tuple[float, float]): Moment coefficients.
            Defaults to (0.9, 0.999).
        eps (float): Denominator term. Defaults to 1e-8.
        weight_decay (float): L2 penalty. Defaults to 0.
        amsgrad (bool): Use AMSGrad. Defaults to False.
    """

    def __init__(
        self,
        params: Iterable[Union[torch.Tensor, dict]],
        lr: float = 1e-3,
        betas: Tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        groups = [
            dict(item, params=_as_list(item['params']))
            if isinstance(item, dict)
            else item
            for item in params
        ]
        tensors = [
            p
            for item in groups
            for p in (item['params'] if isinstance(item, dict) else [item])
        ]
        supported = _fused_devices()
        fused = bool(tensors) and all(
            p.is_floating_point() and p.device.type in supported for p in tensors
        )
        super().__init__(
            groups,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            fused=fused or None,
        )

    @property
    def is_fused(self) -> bool:
        """Whether steps run the fused kernel."""
        return bool(self.defaults['fused'])

    def load_state_dict(self, state_dict: dict) -> None:
        """Load as Adam does, keeping this optimizer's kernel choice."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group['fused'] = self.defaults['fused']
            group['foreach'] = self.defaults['foreach']
