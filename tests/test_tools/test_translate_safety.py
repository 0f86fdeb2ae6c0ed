"""tools/translate.py: inputs never overwritten, bad values one clear line."""

import importlib.util
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from cyclegan_plugin.apis import init_model

from .tool_helpers import REPO, run_tool

TOOL = REPO / 'tools' / 'translate.py'


@pytest.fixture(scope='module')
def model_files(tmp_path_factory):
    """A tiny config and its random generators' checkpoint."""
    folder = tmp_path_factory.mktemp('model')
    config = folder / 'tiny.py'
    config.write_text(
        f"_base_ = '{REPO / 'configs' / 'cyclegan_demo.py'}'\n"
        'model = dict(generator=dict(base_channels=4, num_blocks=1))\n'
    )
    torch.manual_seed(0)
    state = init_model(Config.fromfile(str(config))).state_dict()
    checkpoint = folder / 'g.pth'
    torch.save(
        {'state_dict': {k: v for k, v in state.items() if k.startswith('generators')}},
        checkpoint,
    )
    return config, checkpoint


def _images(folder: Path, names) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        assert cv2.imwrite(str(folder / name), np.full((20, 24, 3), 30 * i, np.uint8))
    return folder


def _error_lines(stderr: str):
    return [line for line in stderr.splitlines() if line.startswith('error:')]


def test_output_onto_the_inputs_and_existing_outputs_exit_2(model_files, tmp_path):
    config, checkpoint = model_files
    photos = _images(tmp_path / 'in', ['a.png', 'b.png'])
    before = {p.name: p.read_bytes() for p in photos.iterdir()}
    same = run_tool(TOOL, config, checkpoint, photos, '--out', photos, check=False)
    assert same.returncode == 2
    assert _error_lines(same.stderr) == [
        f'error: Output folder {str(photos)!r} is the input folder {str(photos)!r}: '
        'the outputs would be mixed with (or replace) the inputs and be read as '
        'inputs next time; choose an output folder outside it.'
    ]
    assert {p.name: p.read_bytes() for p in photos.iterdir()} == before

    out = tmp_path / 'out'
    run_tool(TOOL, config, checkpoint, photos, '--out', out)
    again = run_tool(TOOL, config, checkpoint, photos, '--out', out, check=False)
    assert again.returncode == 2
    (line,) = _error_lines(again.stderr)
    assert line.startswith('error: 2 of the 2 output file(s) already exist')
    assert '--overwrite' in line
    run_tool(TOOL, config, checkpoint, photos, '--out', out, '--overwrite')


def test_a_bad_file_is_reported_and_the_others_written(model_files, tmp_path):
    config, checkpoint = model_files
    photos = _images(tmp_path / 'in', ['a.png', 'c.png'])
    (photos / 'b.jpg').write_bytes(b'no image')
    out = tmp_path / 'out'
    done = run_tool(TOOL, config, checkpoint, photos, '--out', out, check=False)
    assert done.returncode == 2
    (line,) = _error_lines(done.stderr)
    assert line.startswith('error: 2 translated, 1 failed: ') and 'b.jpg' in line
    assert f'Wrote 2 images to {out}' in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ['a.png', 'c.png']


def _tool():
    spec = importlib.util.spec_from_file_location('translate_tool', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


@pytest.mark.parametrize(
    'option, message',
    [
        (['--size', '0'], 'argument --size: size must be a positive .* got 0'),
        (['--size', '-5'], 'got -5'),
        (['--batch-size', '0'], 'argument --batch-size: batch_size must be >= 1'),
        (['--ext', 'jpg'], r"argument --ext: ext 'jpg' must start with a dot"),
        (
            ['--ext', '.txt'],
            r"'.txt' is not an image format written here; use one of .jpg",
        ),
    ],
)
def test_bad_option_values_exit_2_naming_them(option, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        _tool().main(['c.py', 'g.pth', 'in', '--out', str(tmp_path), *option])
    assert info.value.code == 2
    assert re.search(message, capsys.readouterr().err)
    assert not any(tmp_path.iterdir())


def test_cuda_without_a_gpu_says_use_cpu(model_files, tmp_path, monkeypatch):
    config, checkpoint = model_files
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    photos = _images(tmp_path / 'in', ['a.png'])
    with pytest.raises(RuntimeError, match=r"'cuda': no CUDA .* --device cpu"):
        _tool().main(
            [str(config), str(checkpoint), str(photos), '--out', str(tmp_path / 'o')]
            + ['--device', 'cuda']
        )
