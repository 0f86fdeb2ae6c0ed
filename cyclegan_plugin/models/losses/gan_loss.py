"""Adversarial losses of the CycleGAN family."""

from typing import Literal

import torch
import torch.nn as nn
import torch.nn.functional as F

from cyclegan_plugin.registry import MODELS

GanType = Literal['lsgan', 'vanilla', 'wgangp', 'hinge']


@MODELS.register_module()
class GANLoss(nn.Module):
    """GAN objective for a discriminator's prediction map.

    ===========  ======================================================
    gan_type     loss for a prediction map ``p`` (mean over all elements)
    ===========  ======================================================
    ``lsgan``    ``mean((p - t)^2)``, t = real_label or fake_label
                 (the paper's least-squares objective, Eq. 2 of Mao et al.)
    ``vanilla``  ``BCEWithLogits(p, t)``
    ``wgangp``   ``-mean(p)`` for real, ``mean(p)`` for fake (pair with
                 :class:`GradientPenaltyLoss`)
    ``hinge``    discriminator: ``mean(relu(1 - p))`` real, ``mean(relu(1 + p))``
                 fake; generator: ``-mean(p)``
    ===========  ======================================================

    The prediction is cast to float32 first, so the loss stays accurate when the
    networks run under bf16/fp16 autocast.

    Args:
        gan_type (str): One of ``'lsgan'``, ``'vanilla'``, ``'wgangp'``,
            ``'hinge'``. Defaults to ``'lsgan'``.
        real_label (float): Target for real images (lsgan, vanilla).
            Defaults to 1.0.
        fake_label (float): Target for fake images (lsgan, vanilla).
            Defaults to 0.0.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(
        self,
        gan_type: GanType = 'lsgan',
        real_label: float = 1.0,
        fake_label: float = 0.0,
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__()
        if gan_type not in ('lsgan', 'vanilla', 'wgangp', 'hinge'):
            raise ValueError(
                "gan_type must be one of 'lsgan', 'vanilla', 'wgangp', "
                f"'hinge', but got gan_type: {gan_type!r}"
            )
        self.gan_type = gan_type
        self.real_label = float(real_label)
        self.fake_label = float(fake_label)
        self.loss_weight = float(loss_weight)

    def forward(
        self, pred: torch.Tensor, target_is_real: bool, is_disc: bool = False
    ) -> torch.Tensor:
        """Compute the loss of one prediction map.

        Args:
            pred (Tensor): Discriminator output, e.g. ``(N, 1, 30, 30)``.
            target_is_real (bool): Whether ``pred`` should be judged real.
            is_disc (bool): Whether the loss trains the discriminator (only
                changes the hinge loss). Defaults to False.

        Returns:
            Tensor: Scalar loss (float32), already multiplied by
            ``loss_weight``.
        """
        pred = pred.float()
        if self.gan_type in ('lsgan', 'vanilla'):
            value = self.real_label if target_is_real else self.fake_label
            target = torch.full_like(pred, value)
            if self.gan_type == 'lsgan':
                loss = F.mse_loss(pred, target)
            else:
                loss = F.binary_cross_entropy_with_logits(pred, target)
        elif self.gan_type == 'wgangp':
            loss = -pred.mean() if target_is_real else pred.mean()
        elif is_disc:  # hinge, discriminator side
            loss = (
                F.relu(1.0 - pred).mean()
                if target_is_real
                else F.relu(1.0 + pred).mean()
            )
        else:  # hinge, generator side
            loss = -pred.mean()
        return loss * self.loss_weight

    def extra_repr(self) -> str:
        return (
            f'gan_type={self.gan_type!r}, real_label={self.real_label}, '
            f'fake_label={self.fake_label}, '
            f'loss_weight={self.loss_weight}'
        )
