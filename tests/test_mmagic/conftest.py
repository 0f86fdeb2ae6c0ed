"""Shared setup of the MMagic interop tests.

Tests marked ``mmagic`` need the real MMagic 1.2.0 stack (tools/setup_mmagic_env.sh,
run by .ci/mmagic.sh); elsewhere they are skipped with the import error as reason.
"""

import os
from pathlib import Path
from typing import Optional

import pytest
import torch

from cyclegan_plugin.datasets.synthetic_scenes import write_synthetic_dataset


def _mmagic_import_error() -> Optional[str]:
    # albumentations (imported by mmagic.datasets) would look for updates online.
    os.environ.setdefault('NO_ALBUMENTATIONS_UPDATE', '1')
    try:
        import mmagic  # noqa: F401
        import mmagic.models  # noqa: F401  (needs mmcv's compiled ops)
    except Exception as err:  # any failure means the stack is unusable here
        return f'{type(err).__name__}: {err}'
    return None


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker('mmagic')]
    if not marked:
        return
    error = _mmagic_import_error()
    if error is None:
        return
    skip = pytest.mark.skip(
        reason=f'MMagic 1.2.0 is not importable here ({error}); '
        'run .ci/mmagic.sh, which builds its environment'
    )
    for item in marked:
        item.add_marker(skip)


@pytest.fixture()
def horse2zebra_subset(tmp_path) -> Path:
    """A few generated images per split in the authors' layout (horse2zebra's)."""
    return write_synthetic_dataset(
        tmp_path / 'horse2zebra', num_train=4, num_test=6, img_size=64
    )


class _ColourMeans(torch.nn.Module):
    """Stand-in Inception for MMagic's TransFID: per-channel mean colours.

    Real Inception features (2048-d) need thousands of images for a
    non-singular FID; three features keep the few test images meaningful, and
    the RGB means expose a channel-order mistake.
    """

    def forward(self, x: torch.Tensor, return_features: bool = False) -> torch.Tensor:
        return x.float().mean(dim=(2, 3))


@pytest.fixture()
def standin_inception(tmp_path) -> str:
    """A TorchScript file MMagic's TransFID loads as its 'StyleGAN' Inception."""
    path = tmp_path / 'colour_means.pt'
    torch.jit.save(torch.jit.script(_ColourMeans()), str(path))
    return str(path)
