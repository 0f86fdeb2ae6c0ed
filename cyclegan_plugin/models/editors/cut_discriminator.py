"""CUT's one discriminator as a module that scores several batches per call."""

from typing import List, Sequence

from mmengine.model import BaseModule
from torch import Tensor

from cyclegan_plugin.registry import MODELS, build_in_scope


@MODELS.register_module()
class CUTDiscriminator(BaseModule):
    """D (``A``): real B vs G(A), CycleGAN's D_A.

    ``forward`` scores several batches in one call, so that under DDP the
    discriminator step is one forward and one backward; each batch goes
    through D on its own, as the authors'.

    Args:
        discriminator (dict): Config of D.
    """

    def __init__(self, discriminator: dict) -> None:
        super().__init__(init_cfg=None)
        self.A = build_in_scope(MODELS, discriminator)

    def forward(self, batches: Sequence[Tensor]) -> List[Tensor]:
        """Score batches of domain-B images ``(N, 3, H, W)``.

        Returns:
            list[Tensor]: The score map of each batch, in order.
        """
        return [self.A(x) for x in batches]
