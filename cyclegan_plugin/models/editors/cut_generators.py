"""CUT's generator and patch sampler as one module with the G side as forward."""

from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import Tensor

from cyclegan_plugin.registry import MODELS, build_in_scope

NCEPairs = Tuple[List[Tensor], List[Tensor]]


@MODELS.register_module()
class CUTGenerators(BaseModule):
    """G: X → Y (``A``) and the patch sampler F (``F``) of CUT.

    ``forward`` is the authors' ``forward`` (the translation of a training
    iteration, through ``MMSeparateDistributedDataParallel`` when it wraps
    this module); :meth:`nce_features` is the feature half of their
    ``calculate_NCE_loss``, called on the unwrapped module after the
    discriminator step, as theirs, so that the backward pass sums the
    gradients in their order. DDP synchronises gradients by per-parameter
    hooks, so one wrapped forward per backward is what it needs. There is
    no ``B``: CUT translates A → B only.

    Args:
        generator (dict): Config of G; a :class:`ResnetGenerator` (it needs
            ``encode`` and ``feature_channels``).
        sampler (dict): Config of F without ``in_channels``, which come from
            G's channels at ``nce_layers``.
        nce_layers (Sequence[str]): G's layers whose features PatchNCE
            compares (names of :meth:`ResnetGenerator.feature_layers`).
    """

    def __init__(
        self, generator: dict, sampler: dict, nce_layers: Sequence[str]
    ) -> None:
        super().__init__(init_cfg=None)
        self.A = build_in_scope(MODELS, generator)
        self.nce_layers = list(nce_layers)
        channels = self.A.feature_channels(self.nce_layers)
        self.F = build_in_scope(MODELS, dict(sampler, in_channels=channels))

    def forward(
        self,
        real_A: Optional[Tensor] = None,
        real_B: Optional[Tensor] = None,
        with_identity: bool = False,
        flip: bool = False,
    ) -> Dict[str, Tensor]:
        """The authors' ``forward``: one G call on A (and B) together.

        Args:
            real_A (Tensor, optional): ``(N, 3, H, W)`` domain-A images.
            real_B (Tensor, optional): ``(N, 3, H, W)`` domain-B images.
            with_identity (bool): Also translate ``real_B`` (``idt_A = G(B)``,
                the authors' ``idt_B``), in the same batch as ``real_A``.
            flip (bool): Flip the inputs horizontally before G (FastCUT's
                flip equivariance; the outputs stay flipped, as theirs).

        Returns:
            dict[str, Tensor]: ``fake_B`` (and ``idt_A``), ``(N, 3, H, W)``.
        """
        out: Dict[str, Tensor] = {}
        if real_A is None:
            return out
        identity = with_identity and real_B is not None
        real = torch.cat((real_A, real_B)) if identity else real_A
        if flip:
            real = torch.flip(real, [3])
        fake = self.A(real)
        out['fake_B'] = fake[: real_A.size(0)]
        if identity:
            out['idt_A'] = fake[real_A.size(0) :]
        return out

    def nce_features(
        self, src: Tensor, tgt: Tensor, num_patches: int, flip: bool = False
    ) -> NCEPairs:
        """The authors' ``calculate_NCE_loss`` up to the loss.

        Args:
            src (Tensor): ``(N, 3, H, W)`` inputs of G (the keys' image).
            tgt (Tensor): ``(N, 3, H, W)`` G's outputs for them (the queries').
            num_patches (int): Patches per layer.
            flip (bool): ``tgt`` came from flipped inputs: flip its features
                back. Defaults to False.

        Returns:
            tuple[list[Tensor], list[Tensor]]: Per layer, the queries and the
            keys at the same locations, ``(N, P, D)``.
        """
        feat_q = self.A.encode(tgt, self.nce_layers)
        if flip:
            feat_q = [torch.flip(f, [3]) for f in feat_q]
        feat_k = self.A.encode(src, self.nce_layers)
        keys, ids = self.F(feat_k, num_patches)
        queries, _ = self.F(feat_q, num_patches, ids)
        return queries, keys
