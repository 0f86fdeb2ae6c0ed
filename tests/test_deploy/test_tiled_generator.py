"""Tiled translation with whole-image norm statistics reproduces the whole image."""

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from torch import nn

from cyclegan_plugin.apis import init_model, translate_array, translate_images
from cyclegan_plugin.deploy import TiledGenerator, WholeImageNorms
from cyclegan_plugin.models.generators import ResnetGenerator

from ..test_tools.tool_helpers import run_tool, write_tiny_config


@pytest.fixture(scope='module')
def generator():
    # One residual block: a receptive field radius of 23 px, so an overlap of
    # 48 gives every output pixel kept at least its whole field.
    torch.manual_seed(0)
    gen = ResnetGenerator(base_channels=4, num_blocks=1)
    gen.init_weights()
    return gen.eval()


@pytest.fixture(scope='module')
def image():
    torch.manual_seed(1)
    return torch.rand(2, 3, 136, 200) * 2 - 1


def _psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(10 * torch.log10(4 / ((a - b) ** 2).mean()))


def test_exact_statistics_reproduce_the_whole_image(generator, image):
    with torch.no_grad():
        whole = generator(image)
    tiled = TiledGenerator(generator, tile_size=160, overlap=48)(image)
    assert (tiled - whole).abs().max() < 1e-4
    # Without whole-image statistics the tiles visibly disagree.
    naive = TiledGenerator(generator, 160, 48, stat_passes=0)(image)
    assert (naive - whole).abs().max() > 100 * (tiled - whole).abs().max()


def test_approximate_passes_improve_on_own_statistics(generator, image):
    with torch.no_grad():
        whole = generator(image)
    naive = TiledGenerator(generator, 160, 48, stat_passes=0)(image)
    one = TiledGenerator(generator, 160, 48, stat_passes=1)(image)
    assert _psnr(one, whole) > _psnr(naive, whole) + 3


def test_no_norms_and_single_tile(image):
    torch.manual_seed(0)
    gen = ResnetGenerator(base_channels=4, num_blocks=1, norm_cfg=None).eval()
    with torch.no_grad():
        whole = gen(image)
    assert torch.allclose(TiledGenerator(gen, 160, 48)(image), whole, atol=1e-5)
    # An image within one tile is translated in one piece.
    assert torch.equal(TiledGenerator(gen, 200, 48)(image), whole)


def test_blend_weights_sum_to_one(generator):
    tiled = TiledGenerator(generator, tile_size=64, overlap=24)
    for length in (68, 136, 200, 252):
        spans = tiled._spans(length)
        total = torch.zeros(length)
        for ((start, stop), (c0, c1)), weight in zip(
            spans, tiled._weights(spans, length)
        ):
            assert c1 - c0 <= 64 and c0 <= start < stop <= c1
            total[c0:c1] += weight
        assert torch.allclose(total, torch.ones(length))
        # The cores partition the image.
        assert [s[0] for s in spans][0][0] == 0 and spans[-1][0][1] == length
        assert all(a[0][1] == b[0][0] for a, b in zip(spans, spans[1:]))


def test_translate_array_and_tool_tile(tmp_path):
    config = write_tiny_config(tmp_path / 'tiny.py')
    torch.manual_seed(0)
    model = init_model(Config.fromfile(config))
    model.init_weights()
    model.eval()
    rgb = np.random.default_rng(0).integers(0, 256, (90, 150, 3), dtype=np.uint8)
    whole = translate_array(model, rgb, 'AtoB')
    tiled = translate_array(model, rgb, 'AtoB', tile_size=128, tile_overlap=48)
    assert tiled.shape == rgb.shape
    assert np.abs(tiled.astype(int) - whole).max() <= 1
    checkpoint = tmp_path / 'model.pth'
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    (tmp_path / 'in').mkdir()
    cv2.imwrite(str(tmp_path / 'in' / 'x.png'), rgb[..., ::-1])
    run_tool(
        'tools/translate.py',
        config,
        checkpoint,
        tmp_path / 'in',
        '--out',
        tmp_path / 'out',
        '--tile',
        '128',
        '--tile-overlap',
        '48',
        '--device',
        'cpu',
    )
    written = cv2.imread(str(tmp_path / 'out' / 'x.png'))[..., ::-1]
    assert np.array_equal(written, tiled)


def test_bad_settings(generator, tmp_path):
    with pytest.raises(ValueError, match='multiple of 4'):
        TiledGenerator(generator, tile_size=66)
    with pytest.raises(ValueError, match='overlap 64 on both sides'):
        TiledGenerator(generator, tile_size=128, overlap=64)
    with pytest.raises(ValueError, match='stat_passes'):
        TiledGenerator(generator, stat_passes=-1)
    with pytest.raises(ValueError, match='not a multiple of 4'):
        TiledGenerator(generator, 64, 16)(torch.zeros(1, 3, 66, 130))
    grouped = nn.Sequential(nn.Conv2d(3, 4, 3), nn.GroupNorm(2, 4))
    with pytest.raises(ValueError, match='GroupNorm'):
        WholeImageNorms(grouped)
    config = write_tiny_config(tmp_path / 'tiny.py')
    model = init_model(Config.fromfile(config))
    with pytest.raises(ValueError, match='twice the overlap'):
        translate_images(model, str(tmp_path), str(tmp_path / 'o'), tile_size=64)
