"""Suite-wide settings and the real-data fixtures.

Tests on the real images in ``../shared/data`` are marked ``realdata``: the
README's test command deselects them (a user's clone has no ``../shared``) and
``.ci/run`` runs them as a step of its own, where missing data is a failure,
never a skip. Every other test makes the data it needs.
"""

import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

# tools/analysis (the benchmark, the authors' plain CycleGAN) is no part of the
# installed package: tools/benchmark.py imports it as ``analysis`` from its own
# folder, and so do the tests. Appended, so tools/test.py shadows nothing.
sys.path.append(str(Path(__file__).resolve().parents[1] / 'tools'))

# The test networks are tiny: one thread avoids oversubscribing the shared
# 2-core CI machine (measured: ~15 ms vs ~2.5 s per tiny generator step when
# several processes each spin two OpenMP threads).
torch.set_num_threads(1)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / 'shared' / 'data'


def _real_data(request: pytest.FixtureRequest, name: str) -> Path:
    if request.node.get_closest_marker('realdata') is None:
        raise pytest.UsageError(
            f'{request.node.nodeid} uses the real {name} images: mark it '
            '@pytest.mark.realdata so that the README test command deselects it'
        )
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.fail(
            f'real data {path} absent: run the realdata tests where ../shared/data '
            "is beside the clone, or deselect them with -m 'not realdata'"
        )
    return path


@pytest.fixture
def horse2zebra(request: pytest.FixtureRequest) -> Path:
    """``../shared/data/horse2zebra`` (tests marked ``realdata`` only)."""
    return _real_data(request, 'horse2zebra')


@pytest.fixture
def facades(request: pytest.FixtureRequest) -> Path:
    """``../shared/data/facades`` (tests marked ``realdata`` only)."""
    return _real_data(request, 'facades')


class TinyFeatureNet(torch.nn.Module):
    """Stands in for Inception: demands 299x299 input, returns (N, 20) features."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 13, stride=13)
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():
            self.conv.weight.copy_(torch.randn(8, 3, 13, 13, generator=generator))
            self.conv.weight.mul_(0.05)
            self.conv.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[2] != 299 or x.shape[3] != 299:
            raise ValueError('expected 299x299 input')
        pooled = F.adaptive_avg_pool2d(x, 2).flatten(1)
        deep = torch.tanh(self.conv(x)).mean(dim=(2, 3))
        return torch.cat([pooled, deep], dim=1)


@pytest.fixture(scope='session')
def fake_weights(tmp_path_factory) -> str:
    """A TorchScript file of :class:`TinyFeatureNet`."""
    path = tmp_path_factory.mktemp('weights') / 'tiny_features.pt'
    torch.jit.script(TinyFeatureNet().eval()).save(str(path))
    return str(path)
