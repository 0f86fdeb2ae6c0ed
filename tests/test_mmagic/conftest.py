"""Shared setup of the MMagic interop tests.

Tests marked ``mmagic`` need the real MMagic 1.2.0 stack (tools/setup_mmagic_env.sh,
run by .ci/mmagic.sh); elsewhere they are skipped with the import error as reason.
"""

import os
from pathlib import Path
from typing import Optional

import pytest
import torch

REPO = Path(__file__).parents[2]
H2Z = REPO / '..' / 'shared' / 'data' / 'horse2zebra'


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
    """A few horse2zebra images per split, linked in the authors' layout."""
    if not H2Z.is_dir():
        pytest.skip(f'horse2zebra data not found at {H2Z.resolve()}')
    root = tmp_path / 'horse2zebra'
    for split, count in (('trainA', 4), ('trainB', 4), ('testA', 5), ('testB', 6)):
        (root / split).mkdir(parents=True)
        for src in sorted((H2Z / split).glob('*.jpg'))[:count]:
            os.symlink(src.resolve(), root / split / src.name)
    return root


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
