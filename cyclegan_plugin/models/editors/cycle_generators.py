"""The two generators of CycleGAN as one module with the cycle as forward."""

from typing import Dict, Optional

import torch
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from cyclegan_plugin.ops import reuse_transformed_weights
from cyclegan_plugin.registry import MODELS, build_in_scope


@MODELS.register_module()
class CycleGenerators(BaseModule):
    """G_A: A → B and G_B: B → A, with the whole generator pass as ``forward``.

    Holding both generators in one module whose ``forward`` runs every
    generator call of a training iteration lets MMEngine's
    ``MMSeparateDistributedDataParallel`` wrap it once and synchronise all
    generator gradients in a single DDP forward/backward.

    Args:
        generator_A (dict): Config of G_A (translates A → B).
        generator_B (dict, optional): Config of G_B (translates B → A).
            Defaults to a copy of ``generator_A``.
        batch_calls (bool): Run ``G_A(A)`` with the identity call ``G_A(B)``
            as one batch, and ``G_B(B)`` with ``G_B(A)``: four generator
            calls per iteration instead of six, with the same results for
            networks that treat each sample on its own (instance norm or
            none; up to 6% faster on CPUs with Winograd convs,
            ``docs/benchmarks.md``). Refused with batch norm, whose
            statistics would mix the two batches. Defaults to False (the
            authors' six calls).

    Raises:
        ValueError: If ``batch_calls`` is set and a generator has batch norm.
    """

    def __init__(
        self,
        generator_A: dict,
        generator_B: Optional[dict] = None,
        batch_calls: bool = False,
    ) -> None:
        super().__init__(init_cfg=None)
        self.A = build_in_scope(MODELS, generator_A)
        self.B = build_in_scope(
            MODELS, generator_B if generator_B is not None else generator_A
        )
        if batch_calls:
            norms = sorted(
                {type(m).__name__ for m in self.modules() if isinstance(m, _BatchNorm)}
            )
            if norms:
                raise ValueError(
                    f'batch_calls=True would mix the statistics of {norms} across '
                    'the cycle and identity batches; use instance norm or set '
                    'batch_calls=False.'
                )
        self.batch_calls = batch_calls

    def forward(
        self,
        real_A: Optional[torch.Tensor] = None,
        real_B: Optional[torch.Tensor] = None,
        with_identity: bool = False,
    ) -> Dict[str, torch.Tensor]:
        """Run the cycle (Zhu et al. 2017, Fig. 3).

        Args:
            real_A (Tensor, optional): Domain-A images ``(N, 3, H, W)``.
            real_B (Tensor, optional): Domain-B images ``(N, 3, H, W)``.
            with_identity (bool): Also compute ``idt_A = G_A(real_B)`` and
                ``idt_B = G_B(real_A)`` (the identity-loss inputs).

        Returns:
            dict[str, Tensor]: ``fake_B = G_A(A)``, ``rec_A = G_B(fake_B)``
            from ``real_A``; ``fake_A = G_B(B)``, ``rec_B = G_A(fake_A)`` from
            ``real_B``; identity outputs when requested and both are given.
        """
        # Each generator runs up to three times on the same weights: Winograd
        # convs transform them once (nothing happens for other layers).
        with reuse_transformed_weights():
            both = real_A is not None and real_B is not None
            if (
                self.batch_calls
                and with_identity
                and both
                and real_A.shape[1:] == real_B.shape[1:]
            ):
                return self._batched_cycle(real_A, real_B)
            return self._cycle(real_A, real_B, with_identity and both)

    def _cycle(
        self,
        real_A: Optional[torch.Tensor],
        real_B: Optional[torch.Tensor],
        with_identity: bool,
    ) -> Dict[str, torch.Tensor]:
        out: Dict[str, torch.Tensor] = {}
        if real_A is not None:
            out['fake_B'] = self.A(real_A)
            out['rec_A'] = self.B(out['fake_B'])
        if real_B is not None:
            out['fake_A'] = self.B(real_B)
            out['rec_B'] = self.A(out['fake_A'])
        if with_identity:
            out['idt_A'] = self.A(real_B)
            out['idt_B'] = self.B(real_A)
        return out

    def _batched_cycle(
        self, real_A: torch.Tensor, real_B: torch.Tensor
    ) -> Dict[str, torch.Tensor]:
        sizes = [real_A.shape[0], real_B.shape[0]]
        fake_B, idt_A = self.A(torch.cat([real_A, real_B])).split(sizes)
        fake_A, idt_B = self.B(torch.cat([real_B, real_A])).split(sizes[::-1])
        return dict(
            fake_B=fake_B,
            rec_A=self.B(fake_B),
            fake_A=fake_A,
            rec_B=self.A(fake_A),
            idt_A=idt_A,
            idt_B=idt_B,
        )
