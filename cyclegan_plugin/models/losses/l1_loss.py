"""Pixel-wise L1 loss, used for the cycle and identity terms."""

from typing import Literal

import torch
import torch.nn as nn
import torch.nn.functional as F

from cyclegan_plugin.registry import MODELS


@MODELS.register_module()
class L1Loss(nn.Module):
    """Weighted L1 distance ``loss_weight * |pred - target|_1``.

    In CycleGAN the cycle loss uses ``loss_weight = lambda = 10`` and the
    identity loss ``loss_weight = lambda_idt * lambda = 0.5 * 10 = 5``.

    Args:
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        reduction (str): ``'mean'`` or ``'sum'``. Defaults to ``'mean'``.
    """

    def __init__(
        self, loss_weight: float = 1.0, reduction: Literal['mean', 'sum'] = 'mean'
    ) -> None:
        super().__init__()
        if reduction not in ('mean', 'sum'):
            raise ValueError(
                f"reduction must be 'mean' or 'sum', but got reduction: {reduction!r}"
            )
        if loss_weight < 0:
            raise ValueError(
                f'loss_weight must be >= 0, but got loss_weight: {loss_weight}'
            )
        self.loss_weight = float(loss_weight)
        self.reduction = reduction

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Prediction of shape ``(N, C, H, W)``.
            target (Tensor): Target of the same shape.

        Returns:
            Tensor: Scalar float32 loss.
        """
        if pred.shape != target.shape:
            raise ValueError(
                'L1Loss needs pred and target of the same shape, '
                f'but got {tuple(pred.shape)} and '
                f'{tuple(target.shape)}'
            )
        loss = F.l1_loss(pred.float(), target.float(), reduction=self.reduction)
        return loss * self.loss_weight

    def extra_repr(self) -> str:
        return f'loss_weight={self.loss_weight}, reduction={self.reduction!r}'
