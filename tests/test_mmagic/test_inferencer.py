"""CycleGANInferencer: MMagicInferencer-style config + checkpoint + image → image."""

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from cyclegan_plugin.apis.inferencer import CycleGANInferencer
from cyclegan_plugin.registry import MODELS, build_in_scope

REPO = Path(__file__).parents[2]
DATA = REPO / '..' / 'shared' / 'data' / 'horse2zebra'


def _small_config() -> Config:
    cfg = Config.fromfile(REPO / 'configs/_base_/models/cyclegan_resnet9_patchgan.py')
    cfg.model.generator.update(base_channels=8, num_blocks=2)
    cfg.model.discriminator.update(base_channels=8, num_conv=2)
    return cfg


def _image(tmp_path: Path) -> Path:
    # A real horse if the shared data is there, else a synthetic gradient.
    files = sorted((DATA / 'testA').glob('*.jpg')) if DATA.is_dir() else []
    if files:
        image = cv2.resize(cv2.imread(str(files[0])), (48, 40))
    else:
        y, x = np.mgrid[0:40, 0:48]
        image = np.stack([x * 5, y * 6, (x + y) * 3], -1).astype(np.uint8)
    path = tmp_path / 'input.png'
    cv2.imwrite(str(path), image)
    return path


@pytest.fixture()
def trained(tmp_path):
    cfg = _small_config()
    torch.manual_seed(0)
    model = build_in_scope(MODELS, cfg.model)
    model.init_weights()
    ckpt = tmp_path / 'weights.pth'
    torch.save(dict(meta={}, state_dict=model.state_dict()), ckpt)
    return cfg, ckpt, model.eval()


@pytest.mark.parametrize('direction', ['AtoB', 'BtoA'])
def test_infer_translates_with_the_checkpoint_weights(tmp_path, trained, direction):
    cfg, ckpt, model = trained
    image_path = _image(tmp_path)
    inferencer = CycleGANInferencer(cfg, str(ckpt), direction=direction)
    out_file = tmp_path / 'out' / 'translated.png'
    out = inferencer.infer(img=str(image_path), result_out_dir=str(out_file))

    rgb = cv2.imread(str(image_path))[..., ::-1]
    x = torch.from_numpy(rgb.copy()).permute(2, 0, 1)[None].float() / 127.5 - 1
    with torch.no_grad():
        y = model.translate(x, direction)[0]
    expected = ((y + 1) * 127.5).round().clamp(0, 255).byte().permute(1, 2, 0)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - expected.numpy().astype(int)).max() <= 1
    # Written as an image file, RGB kept.
    np.testing.assert_array_equal(cv2.imread(str(out_file))[..., ::-1], out)


def test_any_size_and_arrays_are_accepted(trained):
    cfg, ckpt, _ = trained
    inferencer = CycleGANInferencer(cfg, str(ckpt))
    image = np.random.default_rng(0).integers(0, 256, (30, 45, 3), dtype=np.uint8)
    out = inferencer(image)
    assert out.shape == (30, 45, 3) and out.dtype == np.uint8


def test_bad_arguments_fail_early(tmp_path, trained):
    cfg, ckpt, _ = trained
    with pytest.raises(ValueError, match='direction'):
        CycleGANInferencer(cfg, str(ckpt), direction='AtoA')
    inferencer = CycleGANInferencer(cfg, str(ckpt))
    with pytest.raises(ValueError, match='uint8'):
        inferencer.infer(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(FileNotFoundError):
        inferencer.infer(str(tmp_path / 'missing.png'))
    with pytest.raises(FileNotFoundError):
        CycleGANInferencer(cfg, str(tmp_path / 'missing.pth'))
