"""The two generators of CycleGAN as one module with the cycle as forward."""

from typing import Dict, Optional

import torch
from mmengine.model import BaseModule

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
    """

    def __init__(
        self,
        generator_A: dict,
        generator_B: Optional[dict] = None,
    ) -> None:
        super().__init__(init_cfg=None)
        self.A = build_in_scope(MODELS, generator_A)
        self.B = build_in_scope(
            MODELS, generator_B if generator_B is not None else generator_A
        )

    def forward(
        self,
        real_A: Optional[torch.Tensor] = None,
        real_B: Optional[torch.Tensor] = None,
        with_identity: bool = False,
    ) -> Dict[str, torch.Tensor]:
        """Run the cycle (Zhu et al. 2017, Fig. 3): up to six generator calls.

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
        G_A, G_B = self.A, self.B
        out: Dict[str, torch.Tensor] = {}
        if real_A is not None:
            out['fake_B'] = fake_B = G_A(real_A)
            out['rec_A'] = G_B(fake_B)
        if real_B is not None:
            out['fake_A'] = fake_A = G_B(real_B)
            out['rec_B'] = G_A(fake_A)
        if with_identity and real_A is not None and real_B is not None:
            out['idt_A'] = G_A(real_B)
            out['idt_B'] = G_B(real_A)
        return out
