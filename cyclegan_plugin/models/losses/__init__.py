"""Losses: adversarial, pixel-wise and gradient penalty."""

from .gan_loss import GANLoss
from .gradient_penalty_loss import GradientPenaltyLoss
from .l1_loss import L1Loss

__all__ = ['GANLoss', 'GradientPenaltyLoss', 'L1Loss']
