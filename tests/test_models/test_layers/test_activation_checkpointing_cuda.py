"""Activation checkpointing on a GPU: same gradients, less peak memory.

Run by ``tools/gpu_check.py`` (its ``cuda_tests`` part); skipped on CPUs.
"""

import pytest
import torch

from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason='activation checkpointing on a GPU needs CUDA'
)


def _networks(with_cp):
    torch.manual_seed(0)
    generator = ResnetGenerator(base_channels=16, num_blocks=4, with_cp=with_cp)
    discriminator = PatchDiscriminator(base_channels=16, with_cp=bool(with_cp))
    for net in (generator, discriminator):
        net.init_weights()
    return generator.cuda().train(), discriminator.cuda().train()


def _step(with_cp, x, dtype=None):
    """G and D forward and backward; gradients and the peak memory of it."""
    generator, discriminator = _networks(with_cp)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    with torch.autocast(
        'cuda', dtype=dtype or torch.float32, enabled=dtype is not None
    ):
        loss = discriminator(generator(x)).float().square().mean()
    loss.backward()
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - before
    grads = {
        f'{prefix}.{name}': p.grad.clone()
        for prefix, net in (('G', generator), ('D', discriminator))
        for name, p in net.named_parameters()
    }
    return grads, peak


@pytest.mark.parametrize('dtype', [None, torch.bfloat16], ids=['fp32', 'bf16'])
def test_gradients_equal_and_peak_memory_lower_on_cuda(dtype):
    x = torch.randn(2, 3, 256, 256, generator=torch.Generator().manual_seed(1)).cuda()
    # Deterministic kernels: the recomputation then repeats the forward exactly.
    with torch.backends.cudnn.flags(enabled=True, benchmark=False, deterministic=True):
        plain, plain_peak = _step(False, x, dtype)
        ours, ours_peak = _step(True, x, dtype)
    assert plain.keys() == ours.keys()
    for name in plain:
        torch.testing.assert_close(ours[name], plain[name], rtol=1e-5, atol=1e-6)
    # Autograd keeps 55% of the bytes with with_cp=True (counted on the CPU).
    assert ours_peak < 0.85 * plain_peak, (ours_peak, plain_peak)
