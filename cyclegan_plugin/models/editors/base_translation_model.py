"""What the translation models share: inference, validation, the guarded update."""

from contextlib import contextmanager
from typing import Dict, Iterator, List, Literal, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine import MessageHub
from mmengine.model import BaseModel, is_model_wrapper
from mmengine.optim import OptimWrapper
from mmengine.structures import BaseDataElement

from cyclegan_plugin.registry import MODELS, build_in_scope
from cyclegan_plugin.structures import OUTPUT_FIELDS as FIELDS
from cyclegan_plugin.structures import Direction

from .nonfinite_guard import NonFiniteGuard


def unwrap(module: nn.Module) -> nn.Module:
    """The module inside a model wrapper (DDP), or ``module`` itself."""
    return module.module if is_model_wrapper(module) else module


@contextmanager
def frozen(module: nn.Module) -> Iterator[None]:
    """Turn off gradients for ``module``'s parameters inside the block.

    Args:
        module (nn.Module): The networks to freeze.

    Yields:
        None
    """
    for p in module.parameters():
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in module.parameters():
            p.requires_grad_(True)


def _divergence_kwargs(divergence_cfg: dict) -> dict:
    known = ('factor', 'patience', 'window', 'floor')
    unknown = sorted(set(divergence_cfg) - set(known))
    if unknown:
        raise ValueError(
            f'model.divergence_cfg has no key {unknown[0]!r}; its keys are '
            f'{", ".join(known)}.'
        )
    return {f'divergence_{k}': v for k, v in divergence_cfg.items()}


class BaseTranslationModel(BaseModel):
    """The base of :class:`CycleGAN` and :class:`CUT`.

    A subclass builds its networks and losses, and defines ``train_step``,
    :meth:`translate` (one direction, a tensor batch) and
    :meth:`_translate_all` (the named outputs of a batch dict). This class
    gives them MMEngine's ``forward`` / ``val_step`` / ``test_step`` with
    uint8 data samples, the non-finite guard around each update
    (:meth:`_update`) and the logged losses (:meth:`_log_vars`).

    Args:
        disc_loss_weight (float): Factor of each discriminator loss.
        max_nonfinite_streak (int): Iterations in a row with a non-finite
            loss or gradient after which training stops with an error.
        divergence_cfg (dict): Overrides of the divergence check's
            thresholds: ``factor`` (1000; None turns it off), ``patience``
            (50), ``window`` (100), ``floor`` (1.0), as
            :class:`NonFiniteGuard`'s ``divergence_*`` arguments.
        channels_last (bool): Keep the images in ``torch.channels_last``
            memory format (the subclass converts its networks).
        data_preprocessor (dict, optional): Config of the data preprocessor.
        init_cfg (dict, optional): Initialisation config.

    Raises:
        ValueError: If ``divergence_cfg`` has an unknown key.
    """

    def __init__(
        self,
        disc_loss_weight: float,
        max_nonfinite_streak: int,
        divergence_cfg: dict,
        channels_last: bool,
        data_preprocessor: Optional[dict],
        init_cfg: Optional[dict],
    ) -> None:
        super().__init__(
            data_preprocessor=build_in_scope(MODELS, data_preprocessor),
            init_cfg=init_cfg,
        )
        self.disc_loss_weight = float(disc_loss_weight)
        self.memory_format = (
            torch.channels_last if channels_last else torch.contiguous_format
        )
        self.nonfinite_guard = NonFiniteGuard(
            max_nonfinite_streak, **_divergence_kwargs(divergence_cfg)
        )

    # ------------------------------------------------------------ training
    def _update(
        self,
        optim: OptimWrapper,
        loss: torch.Tensor,
        terms: Dict[str, torch.Tensor],
        name: str,
    ) -> bool:
        """``optim.update_params``, guarded: False (no update) if non-finite.

        The loss is scaled for gradient accumulation, backpropagated, then the
        step and zero_grad run when due;
        :meth:`NonFiniteGuard.backward_if_finite` checks the loss before
        backward and the gradients before the step.
        """
        if not self.nonfinite_guard.backward_if_finite(optim, loss, terms, name):
            return False
        if optim.should_update():
            optim.step()
            optim.zero_grad()
        return True

    def _log_vars(
        self,
        loss_G: torch.Tensor,
        g_terms: Dict[str, torch.Tensor],
        loss_D: Optional[torch.Tensor] = None,
        d_terms: Optional[Dict[str, torch.Tensor]] = None,
    ) -> Dict[str, torch.Tensor]:
        losses = {**g_terms, **(d_terms or {}), 'loss_G': loss_G}
        if loss_D is not None:
            losses['loss_D'] = loss_D
        log_vars = {k: v.detach().float() for k, v in losses.items()}
        total = self.nonfinite_guard.total
        MessageHub.get_current_instance().update_info('nonfinite_skipped', total)
        if total:
            log_vars['nonfinite_skipped'] = torch.tensor(float(total))
        return log_vars

    def _require_both(
        self, inputs: Dict[str, torch.Tensor]
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        missing = [k for k in ('img_A', 'img_B') if k not in inputs]
        if missing:
            raise KeyError(
                f'{type(self).__name__} training needs both domains, but the '
                f'batch lacks {missing}; check the dataset.'
            )
        return inputs['img_A'], inputs['img_B']

    # ------------------------------------------------------------ inference
    def translate(
        self, images: torch.Tensor, direction: Direction = 'AtoB'
    ) -> torch.Tensor:
        """Translate a batch in one direction.

        Args:
            images (Tensor): ``(N, 3, H, W)`` float images in [-1, 1].
            direction (str): ``'AtoB'`` or ``'BtoA'``. Defaults to ``'AtoB'``.

        Returns:
            Tensor: ``(N, 3, H, W)`` translations in [-1, 1].
        """
        raise NotImplementedError

    def _translate_all(
        self, inputs: Dict[str, torch.Tensor], direction: Optional[Direction]
    ) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def forward(
        self,
        inputs: Union[torch.Tensor, Dict[str, torch.Tensor]],
        data_samples: Optional[Sequence[BaseDataElement]] = None,
        mode: Literal['tensor', 'predict', 'loss'] = 'tensor',
        direction: Optional[Direction] = None,
    ):
        """Inference entry of MMEngine's ``BaseModel``.

        Args:
            inputs (Tensor | dict): A preprocessed batch: a ``(N, 3, H, W)``
                tensor (then ``direction`` is required) or a dict with
                ``img_A`` and/or ``img_B``.
            data_samples (list, optional): Samples whose metainfo the
                ``'predict'`` outputs keep.
            mode (str): ``'tensor'`` returns translations as float tensors
                (a tensor for tensor input, else a dict with the fields of
                ``docs/design.md``); ``'predict'`` returns one
                ``BaseDataElement`` per sample with uint8 fields.
            direction (str, optional): ``'AtoB'`` or ``'BtoA'``.

        Returns:
            Tensor | dict | list[BaseDataElement]: See ``mode``.
        """
        if mode == 'loss':
            raise NotImplementedError(
                f'{type(self).__name__} has two optimizers; train it with '
                "train_step, not forward(mode='loss')."
            )
        if isinstance(inputs, torch.Tensor):
            if direction is None:
                raise ValueError("A tensor input needs direction='AtoB' or 'BtoA'.")
            return self.translate(inputs, direction)
        outputs = self._translate_all(inputs, direction)
        if mode == 'tensor':
            return outputs
        if mode == 'predict':
            return self._to_samples(outputs, data_samples)
        raise ValueError(
            f"mode must be 'tensor', 'predict' or 'loss', but got mode: {mode!r}"
        )

    def val_step(self, data: dict) -> List[BaseDataElement]:
        """Translate a validation batch in each direction the model has.

        Returns:
            list[BaseDataElement]: Per sample, uint8 ``(3, H, W)`` RGB tensors
            of the output fields (``real_A``, ``fake_B``, ...; see
            ``docs/design.md``) with the input metainfo.
        """
        data = self.data_preprocessor(data, False)
        return self(**data, mode='predict')

    def test_step(self, data: dict) -> List[BaseDataElement]:
        """Same as :meth:`val_step`."""
        return self.val_step(data)

    def _to_samples(
        self,
        outputs: Dict[str, torch.Tensor],
        data_samples: Optional[Sequence[BaseDataElement]],
    ) -> List[BaseDataElement]:
        num = next(iter(outputs.values())).size(0)
        images = {
            k: self.data_preprocessor.destruct(v, torch.device('cpu'))
            for k, v in outputs.items()
            if k in FIELDS
        }
        samples = []
        for i in range(num):
            meta = data_samples[i].metainfo if data_samples else {}
            # Keep the input's sample class: MMagic's Evaluator converts only
            # its own DataSample into what its metrics read.
            sample_type = type(data_samples[i]) if data_samples else BaseDataElement
            sample = sample_type(metainfo=meta)
            for key, value in images.items():
                sample.set_field(value[i], key)
            samples.append(sample)
        return samples

    def _layout(self, images: torch.Tensor) -> torch.Tensor:
        return images.contiguous(memory_format=self.memory_format)
