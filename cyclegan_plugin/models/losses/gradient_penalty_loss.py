"""WGAN-GP gradient penalty (Gulrajani et al. 2017)."""

from typing import Callable

import torch
import torch.nn as nn

from cyclegan_plugin.registry import MODELS


@MODELS.register_module()
class GradientPenaltyLoss(nn.Module):
    """``loss_weight * mean((||grad_x D(x)||_2 - constant)^2)`` on interpolates.

    ``x = alpha * real + (1 - alpha) * fake`` with one ``alpha ~ U(0, 1)`` per
    sample, as the authors' ``cal_gradient_penalty(type='mixed')``.

    Args:
        loss_weight (float): The penalty's weight (lambda_gp). Defaults to 10.
        constant (float): Target gradient norm. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 10.0, constant: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = float(loss_weight)
        self.constant = float(constant)

    def forward(
        self,
        discriminator: Callable[[torch.Tensor], torch.Tensor],
        real: torch.Tensor,
        fake: torch.Tensor,
    ) -> torch.Tensor:
        """Compute the penalty.

        Args:
            discriminator (Callable): Maps ``(N, C, H, W)`` images to scores.
            real (Tensor): Real images ``(N, C, H, W)``.
            fake (Tensor): Fake images of the same shape (detached).

        Returns:
            Tensor: Scalar float32 penalty.
        """
        alpha = torch.rand(real.size(0), 1, 1, 1, device=real.device)
        interp = (
            alpha * real.detach().float() + (1 - alpha) * fake.detach().float()
        ).requires_grad_(True)
        scores = discriminator(interp)
        (grad,) = torch.autograd.grad(
            outputs=scores.float().sum(), inputs=interp, create_graph=True
        )
        norm = grad.flatten(1).norm(2, dim=1) + 1e-16
        return ((norm - self.constant) ** 2).mean() * self.loss_weight
