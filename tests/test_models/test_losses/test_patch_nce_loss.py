"""PatchNCELoss: the InfoNCE formula, detached keys, negatives, bad input."""

import math

import pytest
import torch
import torch.nn.functional as F

from cyclegan_plugin.registry import MODELS


def _unit(*shape):
    return F.normalize(torch.randn(*shape), dim=-1)


def test_matches_the_formula_per_image():
    torch.manual_seed(0)
    q, k = _unit(2, 5, 8), _unit(2, 5, 8)
    loss = MODELS.build(dict(type='PatchNCELoss', temperature=0.1, loss_weight=2.0))(
        q, k
    )
    terms = []
    for n in range(2):
        for i in range(5):
            sims = q[n, i] @ k[n].T / 0.1
            sims[i] = q[n, i] @ k[n, i] / 0.1
            neg = torch.cat([sims[:i], sims[i + 1 :], torch.tensor([-10.0 / 0.1])])
            terms.append(
                -sims[i] + torch.logsumexp(torch.cat([sims[i : i + 1], neg]), 0)
            )
    assert loss.item() == pytest.approx(
        2.0 * torch.stack(terms).mean().item(), rel=1e-5
    )


def test_keys_get_no_gradient_and_all_negatives_mix_the_batch():
    q = _unit(2, 4, 8).requires_grad_()
    k = _unit(2, 4, 8).requires_grad_()
    loss_fn = MODELS.build(dict(type='PatchNCELoss'))
    loss_fn(q, k).backward()
    assert k.grad is None and q.grad is not None
    mixed = MODELS.build(dict(type='PatchNCELoss', all_negatives_from_minibatch=True))
    # With 2 x 4 patches as negatives of each other the loss is larger than log 4.
    assert mixed(q, k).item() != pytest.approx(loss_fn(q, k).item())
    same = _unit(1, 4, 8)
    assert loss_fn(same, same).item() < math.log(4)


def test_bad_input_raises():
    with pytest.raises(ValueError, match='temperature=0'):
        MODELS.build(dict(type='PatchNCELoss', temperature=0))
    with pytest.raises(ValueError, match=r'\(2, 4, 8\) and \(2, 3, 8\)'):
        MODELS.build(dict(type='PatchNCELoss'))(_unit(2, 4, 8), _unit(2, 3, 8))
