"""Mixed precision for CPU and GPU: bf16 autocast, fp16 with loss scaling."""

from contextlib import contextmanager
from typing import Iterator, Literal, Optional, Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from cyclegan_plugin.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class MixedPrecisionOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose ``optim_context`` runs under ``torch.autocast``.

    Unlike MMEngine's ``AmpOptimWrapper`` (CUDA/NPU only), this works on the
    CPU too: ``bfloat16`` autocast on CPU or CUDA needs no loss scaling;
    ``float16`` (CUDA only) uses a dynamic ``GradScaler`` whose state is
    saved with the optimizer. The autocast device is that of the model
    handed to ``optim_context``.

    Args:
        dtype (str): ``'bfloat16'`` or ``'float16'``. Defaults to
            ``'bfloat16'``.
        loss_scale (str | float): ``'dynamic'`` or a fixed initial scale for
            fp16. Ignored for bf16. Defaults to ``'dynamic'``.
        **kwargs: Passed to ``OptimWrapper`` (``optimizer``,
            ``accumulative_counts``, ``clip_grad``).
    """

    def __init__(
        self,
        dtype: Literal['bfloat16', 'float16'] = 'bfloat16',
        loss_scale: Union[str, float] = 'dynamic',
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if dtype not in ('bfloat16', 'float16'):
            raise ValueError(
                f"dtype must be 'bfloat16' or 'float16', but got dtype: {dtype!r}"
            )
        self.cast_dtype = getattr(torch, dtype)
        self.loss_scaler: Optional[torch.cuda.amp.GradScaler] = None
        if self.cast_dtype == torch.float16:
            if not torch.cuda.is_available():
                raise RuntimeError(
                    'float16 mixed precision needs a CUDA GPU (the CPU has no '
                    "fp16 loss scaling here); use dtype='bfloat16' on the CPU."
                )
            init_scale = 2.0**16 if loss_scale == 'dynamic' else float(loss_scale)
            self.loss_scaler = torch.cuda.amp.GradScaler(
                init_scale=init_scale, enabled=True
            )

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """Gradient-accumulation context plus autocast on the model's device."""
        param = next(model.parameters(), None)
        device_type = param.device.type if param is not None else 'cpu'
        with super().optim_context(model), torch.autocast(
            device_type=device_type, dtype=self.cast_dtype
        ):
            yield

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        """Back-propagate, scaling the loss for fp16."""
        if self.loss_scaler is not None:
            loss = self.loss_scaler.scale(loss)
        loss.backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs) -> None:
        """Step; fp16 unscales first and skips steps with inf/NaN grads."""
        if self.loss_scaler is None:
            super().step(**kwargs)
            return
        if self.clip_grad_kwargs:
            self.loss_scaler.unscale_(self.optimizer)
            self._clip_grad()
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update()

    def state_dict(self) -> dict:
        """Optimizer state plus the loss scaler's (fp16)."""
        state = super().state_dict()
        if self.loss_scaler is not None:
            state['loss_scaler'] = self.loss_scaler.state_dict()
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what :meth:`state_dict` saved."""
        state_dict = dict(state_dict)
        scaler_state = state_dict.pop('loss_scaler', None)
        if scaler_state is not None and self.loss_scaler is not None:
            self.loss_scaler.load_state_dict(scaler_state)
        super().load_state_dict(state_dict)
