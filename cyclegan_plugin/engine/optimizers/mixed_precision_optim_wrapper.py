"""MMEngine's ``AmpOptimWrapper``, also for bf16 on the CPU."""

from contextlib import contextmanager
from typing import Iterator, Literal, Union

import torch
import torch.nn as nn
from mmengine.device import get_device
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmengine.runner.amp import autocast

from cyclegan_plugin.registry import OPTIM_WRAPPERS

# torch >= 2.3 has the device-generic class; torch.cuda.amp's warns from 2.4 on.
_GradScaler = getattr(torch.amp, 'GradScaler', None) or torch.cuda.amp.GradScaler


@OPTIM_WRAPPERS.register_module()
class MixedPrecisionOptimWrapper(AmpOptimWrapper):
    """:class:`mmengine.optim.AmpOptimWrapper` that also runs bf16 on the CPU.

    MMEngine 0.10.7's ``AmpOptimWrapper`` asserts a GPU (CUDA, NPU, MLU or
    MUSA) and always scales the loss. bf16 has fp32's exponent range and needs
    no loss scaling, so for ``dtype='bfloat16'`` this wrapper skips that
    assertion and gives ``AmpOptimWrapper`` a disabled ``GradScaler``, which
    passes losses and steps through unchanged: backward, step and the
    checkpoint state are ``AmpOptimWrapper``'s own. ``dtype='float16'`` is
    plain ``AmpOptimWrapper`` (dynamic loss scaling, GPU only), which is what
    ``--amp float16`` builds; here on a CPU-only machine it is refused.

    The autocast device is that of the model handed to :meth:`optim_context`,
    so a model kept on the CPU of a GPU machine is autocast too.

    Args:
        dtype (str): ``'bfloat16'`` or ``'float16'``. Defaults to
            ``'bfloat16'``.
        loss_scale (str | float | dict): fp16 loss scaling, as in
            ``AmpOptimWrapper``; ignored for bf16. Defaults to ``'dynamic'``.
        **kwargs: Passed to ``OptimWrapper`` (``optimizer``,
            ``accumulative_counts``, ``clip_grad``).

    Raises:
        ValueError: If ``dtype`` is neither.
        RuntimeError: For ``'float16'`` without a CUDA GPU.
    """

    def __init__(
        self,
        dtype: Literal['bfloat16', 'float16'] = 'bfloat16',
        loss_scale: Union[str, float, dict] = 'dynamic',
        **kwargs,
    ) -> None:
        if dtype not in ('bfloat16', 'float16'):
            raise ValueError(
                f"dtype must be 'bfloat16' or 'float16', but got dtype: {dtype!r}"
            )
        if dtype == 'float16':
            if not torch.cuda.is_available():
                raise RuntimeError(
                    'float16 mixed precision needs a CUDA GPU (the CPU has no '
                    "fp16 loss scaling here); use dtype='bfloat16' on the CPU."
                )
            super().__init__(loss_scale=loss_scale, dtype=dtype, **kwargs)
            return
        # Not AmpOptimWrapper.__init__: it asserts a GPU, which bf16 does not need.
        OptimWrapper.__init__(self, **kwargs)
        self._scale_update_param = None
        self.cast_dtype = torch.bfloat16
        self.loss_scaler = _GradScaler(enabled=False)

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """Gradient-accumulation context plus autocast on the model's device.

        Args:
            model (nn.Module): The model trained in this context.

        Yields:
            None: Inside autocast to ``cast_dtype``.
        """
        param = next(model.parameters(), None)
        device_type = param.device.type if param is not None else get_device()
        # OptimWrapper's context, then autocast where AmpOptimWrapper's uses
        # MMEngine's global device rather than the model's.
        with OptimWrapper.optim_context(self, model), autocast(
            device_type=device_type, dtype=self.cast_dtype
        ):
            yield
