import torch
import torch.nn as nn

from cyclegan_plugin.registry import MODELS


def test_penalty_of_linear_critic_is_known():
    # D(x) = sum(w * x): its input gradient is w everywhere, so the penalty is
    # exactly (||w|| - 1)^2 whatever the interpolation.
    critic = nn.Conv2d(3, 1, 2, bias=False)
    nn.init.constant_(critic.weight, 0.1)
    gp = MODELS.build(dict(type='GradientPenaltyLoss', loss_weight=10.0))
    real, fake = torch.randn(2, 3, 2, 2), torch.randn(2, 3, 2, 2)
    expected = 10.0 * (0.1 * 12**0.5 - 1.0) ** 2
    loss = gp(critic, real, fake)
    assert torch.allclose(loss, torch.tensor(expected), atol=1e-5)
    loss.backward()  # differentiable w.r.t. the critic (double backward)
    assert critic.weight.grad is not None
