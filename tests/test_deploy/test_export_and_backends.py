"""Exported generators (ONNX, ExportedProgram) compute what PyTorch computes."""

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from cyclegan_plugin.apis import init_model
from cyclegan_plugin.deploy import (
    ExportedGenerator,
    ExportedModel,
    export_generator,
)
from cyclegan_plugin.models.generators import ResnetGenerator

from ..test_tools.tool_helpers import REPO, run_tool, write_tiny_config

SUFFIX = {'onnx': '.onnx', 'exported-program': '.pt2'}
BACKEND = {'onnx': 'onnxruntime', 'exported-program': 'exported-program'}


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A tiny config, a checkpoint of its model, and both exports of G_A."""
    root = tmp_path_factory.mktemp('export')
    config = write_tiny_config(root / 'tiny.py')
    torch.manual_seed(0)
    model = init_model(Config.fromfile(config))
    model.init_weights()
    checkpoint = root / 'model.pth'
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    files = {}
    for fmt in SUFFIX:
        files[fmt] = root / f'g{SUFFIX[fmt]}'
        run_tool(
            'tools/export.py', config, checkpoint, '--format', fmt, '--out', files[fmt]
        )
    return dict(
        root=root, config=config, checkpoint=checkpoint, model=model, files=files
    )


@pytest.mark.parametrize('fmt', list(SUFFIX))
@pytest.mark.parametrize('shape', [(1, 3, 32, 32), (2, 3, 64, 48), (1, 3, 132, 260)])
def test_parity_with_pytorch_at_free_sizes(trained, fmt, shape):
    generator = ExportedGenerator(str(trained['files'][fmt]), BACKEND[fmt])
    x = torch.rand(shape, generator=torch.Generator().manual_seed(1)) * 2 - 1
    with torch.no_grad():
        expected = trained['model'].generators.A(x)
    assert (generator(x) - expected).abs().max() <= 1e-4


@pytest.mark.parametrize('fmt', list(SUFFIX))
def test_metadata_records_the_convention(trained, fmt):
    generator = ExportedGenerator(str(trained['files'][fmt]), BACKEND[fmt])
    meta = generator.metadata
    assert meta['direction'] == 'AtoB' == generator.direction
    assert meta['value_range'] == [-1.0, 1.0] and meta['channels'] == 'RGB'
    assert meta['size_divisor'] == 4 and meta['dynamic'] is True
    assert (meta['input'], meta['output']) == ('image', 'translation')


def test_translate_folder_same_with_every_backend(trained, tmp_path):
    images = tmp_path / 'in'
    images.mkdir()
    rng = np.random.default_rng(0)
    # An odd size: padded to a multiple of 4 and cropped back.
    for name, (h, w) in dict(a=(43, 57), b=(64, 64)).items():
        cv2.imwrite(str(images / f'{name}.png'), rng.integers(0, 255, (h, w, 3)))
    outputs = {}
    for backend, model_file in [
        ('pytorch', trained['checkpoint']),
        ('onnxruntime', trained['files']['onnx']),
        ('exported-program', trained['files']['exported-program']),
    ]:
        out = tmp_path / backend
        run_tool(
            'tools/translate.py', trained['config'], model_file, images,
            '--out', out, '--backend', backend, '--device', 'cpu',
        )  # fmt: skip
        outputs[backend] = {
            p.name: cv2.imread(str(p)).astype(int) for p in sorted(out.iterdir())
        }
    assert list(outputs['pytorch']) == ['a.png', 'b.png']
    assert outputs['pytorch']['a.png'].shape == (43, 57, 3)
    for backend in ('onnxruntime', 'exported-program'):
        assert outputs[backend].keys() == outputs['pytorch'].keys()
        for name, image in outputs[backend].items():
            assert np.abs(image - outputs['pytorch'][name]).max() <= 1, backend


def test_clear_errors(trained, tmp_path):
    onnx_file = str(trained['files']['onnx'])
    model = ExportedModel(onnx_file, 'onnxruntime')
    with pytest.raises(ValueError, match='translates AtoB only.*--direction BtoA'):
        model.translate(torch.zeros(1, 3, 8, 8), 'BtoA')
    export = REPO / 'tools' / 'export.py'
    argv = [str(trained['config']), str(trained['checkpoint']), '--out', onnx_file]
    proc = run_tool(export, *argv, check=False)
    assert (
        proc.returncode == 2
        and 'exist' in proc.stderr
        and 'Traceback' not in proc.stderr
    )
    not_ours = tmp_path / 'plain.pt2'
    plain = ResnetGenerator(base_channels=4, num_blocks=1).eval()
    torch.export.save(torch.export.export(plain, (torch.zeros(2, 3, 8, 8),)), not_ours)
    with pytest.raises(ValueError, match="no 'cyclegan_plugin' metadata"):
        ExportedGenerator(str(not_ours), 'exported-program')
    (tmp_path / 'junk.onnx').write_bytes(b'not a model')
    with pytest.raises(ValueError, match='not an ONNX model'):
        ExportedGenerator(str(tmp_path / 'junk.onnx'))
    with pytest.raises(ValueError, match='multiple of 4'):
        export_generator(plain, str(tmp_path / 'x.onnx'), 'AtoB', example_size=30)
    with pytest.raises(ValueError, match='opset must be >= 18'):
        export_generator(plain, str(tmp_path / 'x.onnx'), 'AtoB', opset=17)
    assert not (tmp_path / 'x.onnx').exists()
    translate = [str(trained['config']), onnx_file, str(tmp_path), '--out']
    translate += [
        str(tmp_path / 'o'),
        '--backend',
        'onnxruntime',
        '--direction',
        'BtoA',
    ]
    proc = run_tool(REPO / 'tools' / 'translate.py', *translate, check=False)
    assert proc.returncode == 2
    assert (
        proc.stderr.strip().startswith('error: ') and '--direction AtoB' in proc.stderr
    )
