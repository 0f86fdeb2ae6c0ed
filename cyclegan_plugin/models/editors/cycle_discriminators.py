"""The two discriminators of CycleGAN as one module."""

from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule

from cyclegan_plugin.registry import MODELS, build_in_scope


@MODELS.register_module()
class CycleDiscriminators(BaseModule):
    """D_A judges domain B images, D_B judges domain A images.

    ``forward`` scores several batches with each discriminator in one call, so
    that under DDP the discriminator step is one forward and one backward.
    Each batch goes through its network separately (as the authors do), so
    batch-norm statistics never mix real and fake images.

    Args:
        discriminator_A (dict): Config of D_A (real B vs G_A(A)).
        discriminator_B (dict, optional): Config of D_B (real A vs G_B(B)).
            Defaults to a copy of ``discriminator_A``.
    """

    def __init__(
        self, discriminator_A: dict, discriminator_B: Optional[dict] = None
    ) -> None:
        super().__init__(init_cfg=None)
        self.A = build_in_scope(MODELS, discriminator_A)
        self.B = build_in_scope(
            MODELS, discriminator_B if discriminator_B is not None else discriminator_A
        )

    def forward(
        self, batches_A: Sequence[torch.Tensor], batches_B: Sequence[torch.Tensor]
    ) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """Score batches with D_A and D_B.

        Args:
            batches_A (Sequence[Tensor]): Domain-B images ``(N, 3, H, W)``
                for D_A.
            batches_B (Sequence[Tensor]): Domain-A images for D_B.

        Returns:
            tuple[list[Tensor], list[Tensor]]: The score maps of each batch,
            in order.
        """
        return ([self.A(x) for x in batches_A], [self.B(x) for x in batches_B])
