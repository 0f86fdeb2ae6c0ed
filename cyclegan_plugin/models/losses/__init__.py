"""Losses: adversarial, pixel-wise, gradient penalty and PatchNCE."""

from .gan_loss import GANLoss
from .gradient_penalty_loss import GradientPenaltyLoss
from .l1_loss import L1Loss
from .patch_nce_loss import PatchNCELoss

__all__ = ['GANLoss', 'GradientPenaltyLoss', 'L1Loss', 'PatchNCELoss']
