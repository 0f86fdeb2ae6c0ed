"""MMagic's own CycleGAN vs ours: same weights (converted), same translations."""

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from cyclegan_plugin.datasets.synthetic_scenes import render_scene, scene_rng
from cyclegan_plugin.registry import MODELS, build_in_scope

pytestmark = pytest.mark.mmagic

REPO = Path(__file__).parents[2]
MMAGIC_CONFIG = 'cyclegan/cyclegan_lsgan-resnet-in_1xb1-270kiters_horse2zebra.py'
IN_MMAGIC_NAME = 'cyclegan_in-mmagic_resnet9-patchgan_1xb1-266800iters_horse2zebra.py'


def _mmagic_cyclegan(seed: int = 0) -> torch.nn.Module:
    """MMagic's CycleGAN from its horse2zebra config, with random weights."""
    from mmagic.registry import MODELS as MMAGIC_MODELS
    from mmengine.registry import DefaultScope
    from mmengine.utils import get_installed_path

    # MMagic's configs ship inside the package (what 'mmagic::' refers to).
    configs = Path(get_installed_path('mmagic')) / '.mim' / 'configs'
    cfg = Config.fromfile(configs / MMAGIC_CONFIG)
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MMAGIC_MODELS.build(cfg.model)
    # Random values everywhere (biases included), so a misplaced tensor shows.
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.05)
    return model.eval()


def _our_cyclegan() -> torch.nn.Module:
    # Our paper config: the same networks as MMagic's horse2zebra model.
    cfg = Config.fromfile(REPO / 'configs/_base_/models/cyclegan_resnet9_patchgan.py')
    return build_in_scope(MODELS, cfg.model).eval()


def _convert(*args: str) -> None:
    cmd = [sys.executable, str(REPO / 'tools/convert_checkpoint.py'), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr


def _load(model: torch.nn.Module, path: Path) -> torch.nn.Module:
    state = torch.load(path, map_location='cpu', weights_only=True)['state_dict']
    result = model.load_state_dict(state, strict=False)
    # Every network tensor loads; only non-network state (our image buffers'
    # contents) may be absent from a converted checkpoint.
    networks = ('generators.', 'discriminators.')
    assert not result.unexpected_keys, result.unexpected_keys
    assert not [k for k in result.missing_keys if k.startswith(networks)]
    return model


def _horse_bgr() -> torch.Tensor:
    rgb = render_scene(scene_rng(0, 'test', 0), 64, 'plain')
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    return torch.from_numpy(bgr).permute(2, 0, 1)[None].float() / 127.5 - 1


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('ckpt')
    mmagic_model = _mmagic_cyclegan()
    mm_file = tmp / 'mmagic_h2z.pth'
    torch.save(dict(meta={}, state_dict=mmagic_model.state_dict()), mm_file)
    domains = ['--domains', 'horse', 'zebra']
    _convert('--from', 'mmagic', str(mm_file), *domains, '--out', str(tmp / 'rgb.pth'))
    _convert(
        '--from', 'mmagic', str(mm_file), *domains, '--keep-bgr',
        '--out', str(tmp / 'bgr.pth'),
    )  # fmt: skip
    return mmagic_model, tmp


def test_converted_generators_translate_as_mmagic(checkpoints):
    mmagic_model, tmp = checkpoints
    ours = _load(_our_cyclegan(), tmp / 'rgb.pth')
    bgr = _horse_bgr()
    with torch.no_grad():
        for mm_target, direction in (('zebra', 'AtoB'), ('horse', 'BtoA')):
            expected_bgr = mmagic_model.translation(bgr, target_domain=mm_target)
            got_rgb = ours.translate(bgr.flip(1), direction)
            torch.testing.assert_close(
                got_rgb, expected_bgr.flip(1), rtol=1e-4, atol=1e-4
            )
        # Discriminators judge the same images alike: D_A is MMagic's 'zebra'.
        torch.testing.assert_close(
            ours.discriminators.A(bgr.flip(1)),
            mmagic_model.discriminators['zebra'](bgr),
            rtol=1e-4,
            atol=1e-4,
        )


def test_keep_bgr_keeps_mmagic_channel_order(checkpoints):
    mmagic_model, tmp = checkpoints
    ours = _load(_our_cyclegan(), tmp / 'bgr.pth')
    bgr = _horse_bgr()
    with torch.no_grad():
        torch.testing.assert_close(
            ours.translate(bgr, 'AtoB'),
            mmagic_model.translation(bgr, target_domain='zebra'),
            rtol=1e-4,
            atol=1e-4,
        )


def test_to_mmagic_writes_back_mmagic_weights(checkpoints):
    mmagic_model, tmp = checkpoints
    out_dir = tmp / 'back'
    _convert('--to', 'mmagic', str(tmp / 'rgb.pth'), '--out-dir', str(out_dir))
    (written,) = sorted(out_dir.glob('*.pth'))
    # Loads strictly into a fresh MMagic model, equal to the original weights.
    fresh = _mmagic_cyclegan(seed=1)
    state = torch.load(written, map_location='cpu', weights_only=True)['state_dict']
    fresh.load_state_dict(state, strict=True)
    original = mmagic_model.state_dict()
    assert set(fresh.state_dict()) == set(original)
    for key, value in fresh.state_dict().items():
        assert torch.equal(value, original[key]), key


def test_inferencer_with_the_mmagic_config_translates_as_mmagic(checkpoints, tmp_path):
    from cyclegan_plugin.apis.inferencer import CycleGANInferencer

    mmagic_model, tmp = checkpoints
    bgr = _horse_bgr()
    image = tmp_path / 'horse.png'
    cv2.imwrite(
        str(image), ((bgr[0] + 1) * 127.5).round().byte().permute(1, 2, 0).numpy()
    )
    config = REPO / 'configs' / 'mmagic' / IN_MMAGIC_NAME
    inferencer = CycleGANInferencer(str(config), str(tmp / 'rgb.pth'))
    zebra_rgb = inferencer.infer(img=str(image), result_out_dir=str(tmp_path / 'z.png'))
    with torch.no_grad():
        expected_bgr = mmagic_model.translation(bgr, target_domain='zebra')[0]
    expected_rgb = ((expected_bgr.flip(0) + 1) * 127.5).round().clamp(0, 255)
    expected_rgb = expected_rgb.byte().permute(1, 2, 0).numpy()
    assert zebra_rgb.shape == expected_rgb.shape
    assert abs(zebra_rgb.astype(int) - expected_rgb.astype(int)).max() <= 1
