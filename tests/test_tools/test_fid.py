import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
import torch
import torch.nn.functional as F
from PIL import Image

from cyclegan_plugin.apis import run_cli
from cyclegan_plugin.evaluation import InceptionFeatureExtractor
from cyclegan_plugin.evaluation.folder_metrics import read_rgb

REPO = Path(__file__).parents[2]


class TinyFeatureNet(torch.nn.Module):
    """Stands in for Inception: 299x299 input, (N, 6) features."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[2] != 299 or x.shape[3] != 299:
            raise ValueError('expected 299x299 input')
        return torch.cat([x.mean(dim=(2, 3)), F.max_pool2d(x, 299).flatten(1)], 1)


@pytest.fixture(scope='module')
def fake_weights(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp('weights') / 'tiny.pt'
    torch.jit.script(TinyFeatureNet()).save(str(path))
    return str(path)


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp('images')
    rng = np.random.default_rng(0)
    for name, low, count in (('real', 0, 12), ('fake', 60, 10)):
        (root / name / 'sub').mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(low, 256, (24, 32, 3), dtype=np.uint8)
            # Mixed formats and a nested folder, as real result folders have.
            target = root / name / ('sub' if i % 3 == 0 else '') / f'{i}.png'
            Image.fromarray(pixels).save(target)
    Image.fromarray(rng.integers(0, 256, (24, 32), dtype=np.uint8)).save(
        root / 'real' / 'gray.jpg'
    )
    (root / 'real' / 'notes.txt').write_text('not an image')
    return root


def load_tool():
    spec = importlib.util.spec_from_file_location('fid_tool', REPO / 'tools' / 'fid.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def independent_fid(extractor, folder: Path) -> float:
    """numpy/scipy Fréchet distance on the same network's features."""

    def features(path):
        files = sorted(p for p in path.rglob('*') if p.suffix in ('.png', '.jpg'))
        return extractor([read_rgb(str(f)) for f in files])

    x, y = features(folder / 'fake'), features(folder / 'real')
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((x.mean(0) - y.mean(0)) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def test_fid_and_kid_between_folders(fake_weights, folders, tmp_path, capsys):
    out = tmp_path / 'scores.json'
    args = [str(folders / 'real'), str(folders / 'fake'), '--weights', fake_weights]
    scores = load_tool().main(
        args + ['--kid', '--batch-size', '4', '--json', str(out), '--no-progress']
    )
    extractor = InceptionFeatureExtractor(fake_weights, device='cpu')
    assert scores['FID'] == pytest.approx(independent_fid(extractor, folders), rel=1e-5)
    assert scores['FID'] > 0.01 and scores['KID'] > 0
    assert (scores['num_real'], scores['num_fake']) == (13, 10)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f'FID: {scores["FID"]:.4f}'
    assert printed[1].startswith('KID: ')
    assert json.loads(printed[-1]) == scores == json.loads(out.read_text())


def test_bootstrap_spread(fake_weights, folders, capsys):
    args = [str(folders / 'real'), str(folders / 'fake'), '--weights', fake_weights]
    plain = load_tool().main(args + ['--kid', '--no-progress'])
    scores = load_tool().main(args + ['--kid', '--bootstrap', '8', '--no-progress'])
    assert {k: scores[k] for k in plain} == plain
    assert scores['FID_bootstrap_std'] > 0 and scores['KID_bootstrap_std'] > 0
    printed = capsys.readouterr().out.splitlines()
    assert f'(bootstrap std {scores["FID_bootstrap_std"]:.4f})' in printed[-3]


def test_same_folder_gives_zero(fake_weights, folders):
    real = str(folders / 'real')
    scores = load_tool().main([real, real, '--weights', fake_weights, '--no-progress'])
    assert abs(scores['FID']) < 1e-6


def test_command_line_and_missing_folder(fake_weights, folders, tmp_path):
    command = [sys.executable, str(REPO / 'tools' / 'fid.py'), str(folders / 'real')]
    done = subprocess.run(
        command + [str(folders / 'fake'), '--weights', fake_weights, '--no-progress'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.splitlines()[-1])['num_fake'] == 10
    # Each small folder gets one warning line.
    assert [line for line in done.stderr.splitlines() if 'real' in line] == [
        f"warning: '{folders / 'real'}' holds only 13 images: FID on fewer than "
        '50 images is strongly biased upwards and not comparable with scores on '
        'sets of other sizes.'
    ]
    assert any(
        line.startswith('warning: ') and "fake' holds only 10 images" in line
        for line in done.stderr.splitlines()
    )
    with pytest.raises(FileNotFoundError, match='not a directory'):
        load_tool().main(
            [str(folders / 'real'), str(tmp_path / 'no'), '--weights', fake_weights]
        )


@pytest.mark.parametrize('count', [0, 1])
def test_folder_with_fewer_than_two_images_is_one_line(
    count, folders, tmp_path, capsys
):
    for i in range(count):
        Image.new('RGB', (8, 8)).save(tmp_path / f'{i}.png')
    (tmp_path / 'notes.txt').write_text('not an image')
    # No network is loaded (this one does not exist) before the folders pass.
    argv = [str(tmp_path), str(folders / 'fake'), '--weights', 'nowhere.pt']
    assert run_cli(load_tool().main, argv) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'Traceback' not in err
    noun = 'image' if count == 1 else 'images'
    assert err.startswith(f"error: '{tmp_path}' holds {count} {noun} (files ending")
    assert 'FID needs at least 2 per folder' in err
