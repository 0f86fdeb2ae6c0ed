"""PatchNCE, the contrastive loss of CUT (Park et al. 2020, Eq. 2-3)."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from cyclegan_plugin.registry import MODELS

__all__ = ['PatchNCELoss']


@MODELS.register_module()
class PatchNCELoss(nn.Module):
    r"""InfoNCE between each query patch and the key patch at its location.

    For a query :math:`v` (a patch of the output), its positive :math:`v^+` (the
    input's patch at the same location) and the negatives :math:`v^-_n` (the
    input's other sampled patches of the same image, or of the whole batch
    with ``all_negatives_from_minibatch``):

    .. math::
        \ell = -\log \frac{\exp(v \cdot v^+ / \tau)}
               {\exp(v \cdot v^+ / \tau) + \sum_n \exp(v \cdot v^-_n / \tau)}

    averaged over all queries and times ``loss_weight`` (the authors'
    ``lambda_NCE``). Keys are detached, as in the authors' ``PatchNCELoss``;
    a query's similarity with its own location among the negatives is set to
    -10 (their mask), which keeps the logits' shape.

    Args:
        temperature (float): :math:`\tau`. Defaults to 0.07.
        all_negatives_from_minibatch (bool): Draw negatives from every image
            of the batch (the authors'
            ``nce_includes_all_negatives_from_minibatch``, for single-image
            training). Defaults to False.
        loss_weight (float): Multiplier. Defaults to 1.0.

    Raises:
        ValueError: If ``temperature`` <= 0 or ``loss_weight`` < 0.
    """

    def __init__(
        self,
        temperature: float = 0.07,
        all_negatives_from_minibatch: bool = False,
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__()
        if temperature <= 0 or loss_weight < 0:
            raise ValueError(
                'temperature must be > 0 and loss_weight >= 0, but got '
                f'temperature={temperature}, loss_weight={loss_weight}'
            )
        self.temperature = float(temperature)
        self.all_negatives_from_minibatch = all_negatives_from_minibatch
        self.loss_weight = float(loss_weight)

    def forward(self, feat_q: Tensor, feat_k: Tensor) -> Tensor:
        """Compute the loss of one layer's patches.

        Args:
            feat_q (Tensor): ``(N, P, D)`` query vectors (of the output).
            feat_k (Tensor): ``(N, P, D)`` key vectors (of the input).

        Returns:
            Tensor: Scalar loss.

        Raises:
            ValueError: If the shapes differ or are not 3-D.
        """
        if feat_q.shape != feat_k.shape or feat_q.dim() != 3:
            raise ValueError(
                'PatchNCELoss needs feat_q and feat_k of the same (N, P, D) '
                f'shape, but got {tuple(feat_q.shape)} and {tuple(feat_k.shape)}'
            )
        feat_k = feat_k.detach()
        batch, _, dim = feat_q.shape
        # As the authors' (a batched product per patch): the same rounding.
        flat_q, flat_k = feat_q.reshape(-1, 1, dim), feat_k.reshape(-1, dim, 1)
        l_pos = torch.bmm(flat_q, flat_k).reshape(-1, 1)  # (N*P, 1)
        groups = 1 if self.all_negatives_from_minibatch else batch
        q = feat_q.reshape(groups, -1, dim)
        k = feat_k.reshape(groups, -1, dim)
        l_neg = torch.bmm(q, k.transpose(2, 1))  # (groups, P', P')
        eye = torch.eye(q.shape[1], device=q.device, dtype=torch.bool)[None]
        l_neg = l_neg.masked_fill(eye, -10.0).reshape(-1, q.shape[1])
        logits = torch.cat((l_pos, l_neg), dim=1) / self.temperature
        target = torch.zeros(logits.shape[0], dtype=torch.long, device=q.device)
        loss = F.cross_entropy(logits, target, reduction='none')
        return (loss * self.loss_weight).mean()

    def extra_repr(self) -> str:
        return (
            f'temperature={self.temperature}, loss_weight={self.loss_weight}, '
            f'all_negatives_from_minibatch={self.all_negatives_from_minibatch}'
        )
