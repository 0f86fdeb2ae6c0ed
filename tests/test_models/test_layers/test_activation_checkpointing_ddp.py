"""Activation checkpointing under DDP: two CPU processes (gloo), same gradients.

Each rank feeds its own inputs (seeded by rank) to networks built from the same
seed, once without and once with ``with_cp``, wrapped as the Runner wraps them
(``DistributedDataParallel``; the CycleGAN model in MMEngine's
``MMSeparateDistributedDataParallel``). The recomputation repeats the same
kernels on the same inputs and DDP reduces the same buckets in the same order,
so the synchronised gradients, the logs and the weights after two optimizer
steps must be bit for bit those of the run without checkpointing: in fp32,
with the CPU fast path (``cpu_kernels=True``) and in bf16 autocast. The
non-reentrant checkpoint needs no ``static_graph`` (the reentrant one would:
its backward marks the parameters ready a second time).
"""

import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.model import MMSeparateDistributedDataParallel
from torch.nn.parallel import DistributedDataParallel

from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator

from ..test_editors.test_cycle_gan import batch, build_model, build_wrappers

WORLD_SIZE = 2
CP = (False, True, 'all')  # with_cp of the generators
# The CycleGAN settings of test_activation_checkpointing.py, now under DDP.
SETTINGS = [
    ('OptimWrapper', False),
    ('OptimWrapper', True),
    ('MixedPrecisionOptimWrapper', False),
]


def _network(kind: str, with_cp: bool) -> torch.nn.Module:
    torch.manual_seed(0)
    if kind == 'generator':
        net = ResnetGenerator(base_channels=8, num_blocks=2, with_cp=with_cp)
    else:
        net = PatchDiscriminator(base_channels=8, num_conv=3, with_cp=bool(with_cp))
    net.init_weights()
    return net.train()


def _network_steps(kind: str, with_cp: bool, rank: int) -> dict:
    """Two SGD steps of a DDP-wrapped network: gradients and final weights.

    ``local`` is this rank's own first gradient (no DDP, no checkpointing),
    to tell the synchronised gradients from it.
    """
    net = _network(kind, with_cp)
    ddp = DistributedDataParallel(net)  # a CPU module: no device_ids
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    size = 32 if kind == 'generator' else 64
    grads, local = [], None
    for step in range(2):
        g = torch.Generator().manual_seed(100 * rank + step)
        x = torch.randn(2, 3, size, size, generator=g)
        optimizer.zero_grad()
        ddp(x).square().mean().backward()
        grads.append({n: p.grad.clone() for n, p in net.named_parameters()})
        if local is None:
            alone = _network(kind, False)
            alone(x).square().mean().backward()
            local = {n: p.grad.clone() for n, p in alone.named_parameters()}
        optimizer.step()
    return dict(grads=grads, local=local, state=net.state_dict())


def _cyclegan_steps(wrapper_type: str, cpu_kernels: bool, with_cp, rank: int):
    """Two CycleGAN train steps as the Runner runs them under DDP."""
    torch.manual_seed(0)
    model = build_model(
        generator=dict(
            type='ResnetGenerator', base_channels=8, num_blocks=2, with_cp=with_cp
        ),
        discriminator=dict(
            type='PatchDiscriminator',
            base_channels=8,
            num_conv=2,
            with_cp=bool(with_cp),
        ),
        cpu_kernels=cpu_kernels,
    )
    wrapped = MMSeparateDistributedDataParallel(model, device_ids=None)
    wrappers = build_wrappers(model, wrapper_type)
    logs = []
    for step in (0, 1):
        log_vars = wrapped.train_step(batch(seed=10 * rank + step), wrappers)
        logs.append({k: v.item() for k, v in log_vars.items()})
    state = {k: v for k, v in model.state_dict().items() if isinstance(v, torch.Tensor)}
    return dict(logs=logs, state=state)


def _worker(rank: int, store: str, out_dir: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{store}', rank=rank, world_size=WORLD_SIZE
    )
    try:
        results = {}
        # 'all': every generator stage (the discriminators take a bool).
        for kind in ('generator', 'discriminator'):
            results[kind] = {cp: _network_steps(kind, cp, rank) for cp in CP}
        for wrapper_type, cpu_kernels in SETTINGS:
            results[(wrapper_type, cpu_kernels)] = {
                cp: _cyclegan_steps(wrapper_type, cpu_kernels, cp, rank) for cp in CP
            }
        torch.save(results, os.path.join(out_dir, f'rank{rank}.pth'))
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope='module')
def ranks(tmp_path_factory):
    """What each of two gloo processes computed, without and with ``with_cp``."""
    tmp = tmp_path_factory.mktemp('ddp_cp')
    # fork: the worker is this test module's function, which a spawned
    # interpreter could not import under pytest's importlib mode.
    mp.start_processes(
        _worker,
        args=(str(tmp / 'store'), str(tmp)),
        nprocs=WORLD_SIZE,
        start_method='fork',
    )
    return [torch.load(tmp / f'rank{r}.pth', weights_only=False) for r in (0, 1)]


def assert_equal(a: dict, b: dict, where: str) -> None:
    assert a.keys() == b.keys(), where
    for key in a:
        assert torch.equal(a[key], b[key]), f'{where}: {key}'


@pytest.mark.parametrize('with_cp', [True, 'all'])
@pytest.mark.parametrize('kind', ['generator', 'discriminator'])
def test_ddp_gradients_bit_exact_with_checkpointing(ranks, kind, with_cp):
    for rank, results in enumerate(ranks):
        plain, ours = results[kind][False], results[kind][with_cp]
        for step in (0, 1):
            where = f'rank {rank}, step {step}'
            assert_equal(plain['grads'][step], ours['grads'][step], where)
        assert_equal(plain['state'], ours['state'], f'rank {rank}, weights')
    # Synchronised: both ranks hold one gradient, the mean of their own ones.
    ours = [results[kind][with_cp] for results in ranks]
    for step in (0, 1):
        assert_equal(ours[0]['grads'][step], ours[1]['grads'][step], f'step {step}')
    for name, grad in ours[0]['grads'][0].items():
        mean = (ours[0]['local'][name] + ours[1]['local'][name]) / 2
        torch.testing.assert_close(grad, mean, rtol=1e-5, atol=1e-7)
        assert not torch.equal(grad, ours[0]['local'][name]), name


@pytest.mark.parametrize('with_cp', [True, 'all'])
@pytest.mark.parametrize('setting', SETTINGS, ids=['fp32', 'cpu_kernels', 'bf16'])
def test_ddp_cyclegan_steps_identical_with_checkpointing(ranks, setting, with_cp):
    for rank, results in enumerate(ranks):
        plain, ours = results[setting][False], results[setting][with_cp]
        assert ours['logs'] == plain['logs'], f'rank {rank}'
        assert_equal(plain['state'], ours['state'], f'rank {rank}')
    # The ranks trained on different images and still hold the same weights.
    ours = [results[setting][with_cp] for results in ranks]
    assert ours[0]['logs'] != ours[1]['logs']
    assert_equal(ours[0]['state'], ours[1]['state'], 'rank 0 vs rank 1')
