"""FastAdam: Adam's updates, with the fused kernel where torch has one."""

import torch
import torch.nn as nn

from cyclegan_plugin.engine.optimizers.fast_adam import FastAdam, _fused_devices
from cyclegan_plugin.registry import OPTIMIZERS, build_in_scope


def net(seed=0):
    torch.manual_seed(seed)
    # No norm after the first conv: a bias before instance norm gets only
    # rounding noise as gradient, which Adam scales to whole steps (measured
    # 2.4e-3 apart after 5 steps on an AVX2 CPU), so it could not be compared.
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.Tanh(), nn.Conv2d(8, 1, 3))


def train(model, optim, steps=5):
    g = torch.Generator().manual_seed(1)
    for _ in range(steps):
        optim.zero_grad()
        model(torch.randn(2, 3, 12, 12, generator=g)).square().mean().backward()
        optim.step()


def test_same_updates_as_adam():
    ours, ref = net(), net()
    kw = dict(lr=2e-3, betas=(0.5, 0.999))
    train(
        ours,
        build_in_scope(
            OPTIMIZERS, dict(type='FastAdam', params=ours.parameters(), **kw)
        ),
    )
    train(ref, torch.optim.Adam(ref.parameters(), **kw))
    for a, b in zip(ours.parameters(), ref.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-7)


def test_fused_exactly_where_torch_supports_it():
    optim = FastAdam(net().parameters())
    assert optim.is_fused == ('cpu' in _fused_devices())


def test_param_groups_from_generators_and_kernel_kept_on_load():
    model = net()
    groups = [
        dict(params=(p for p in model[0].parameters()), lr=1e-3),
        dict(params=model[2].parameters()),
    ]
    optim = FastAdam(groups, lr=2e-4)
    assert [len(g['params']) for g in optim.param_groups] == [2, 2]
    train(model, optim, steps=1)
    # A checkpoint from plain Adam (another machine, another torch) resumes.
    plain = torch.optim.Adam(model.parameters(), lr=2e-4)
    train(model, plain, steps=1)
    state = plain.state_dict()
    state['param_groups'] = [
        dict(state['param_groups'][0], params=[0, 1]),
        dict(state['param_groups'][0], params=[2, 3]),
    ]
    optim.load_state_dict(state)
    assert all(g['fused'] == optim.defaults['fused'] for g in optim.param_groups)
    train(model, optim, steps=1)
