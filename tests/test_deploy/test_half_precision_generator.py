"""fp16 ONNX export: written only within tolerance, float32 in and out."""

import importlib

import numpy as np
import pytest
import torch

from cyclegan_plugin.deploy import (
    FP16_TOLERANCE,
    ExportedGenerator,
    HalfPrecisionGenerator,
    export_generator,
)
from cyclegan_plugin.deploy.half_precision_generator import onnx_deviation
from cyclegan_plugin.models.generators import ResnetGenerator

# The package exports a function of the module's name.
export_module = importlib.import_module('cyclegan_plugin.deploy.export_generator')


@pytest.fixture(scope='module')
def generator():
    torch.manual_seed(0)
    gen = ResnetGenerator(base_channels=8, num_blocks=1)
    gen.init_weights()
    return gen.eval()


def test_fp16_file_within_tolerance(generator, tmp_path):
    import onnx  # the deploy extra, which the MMagic environment lacks

    out = export_generator(generator, str(tmp_path / 'g16.onnx'), 'AtoB', fp16=True)
    full = export_generator(generator, str(tmp_path / 'g32.onnx'), 'AtoB')
    floats = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16}
    weights = {
        path: {t.data_type for t in onnx.load(path).graph.initializer} & floats
        for path in (out, full)
    }
    assert weights == {
        out: {onnx.TensorProto.FLOAT16},
        full: {onnx.TensorProto.FLOAT},
    }
    exported = ExportedGenerator(out, 'onnxruntime')
    x = torch.rand(2, 3, 48, 72) * 2 - 1
    with torch.no_grad():
        expected = generator(x)
    y = exported(x)
    assert y.dtype == torch.float32 and y.shape == x.shape
    assert (y - expected).abs().max() <= FP16_TOLERANCE
    assert onnx_deviation(out, generator, 32) > onnx_deviation(full, generator, 32)


def test_half_precision_module_keeps_the_original(generator):
    half = HalfPrecisionGenerator(generator)
    assert next(generator.parameters()).dtype == torch.float32
    assert next(half.parameters()).dtype == torch.float16


def test_beyond_tolerance_writes_nothing(generator, tmp_path, monkeypatch):
    monkeypatch.setattr(export_module, 'FP16_TOLERANCE', 0.0)
    out = tmp_path / 'g16.onnx'
    with pytest.raises(ValueError, match='without --fp16'):
        export_generator(generator, str(out), 'AtoB', fp16=True)
    assert not np.any([p.name.startswith('g16') for p in tmp_path.iterdir()])


def test_fp16_needs_onnx(generator, tmp_path):
    with pytest.raises(ValueError, match="format 'onnx' only"):
        export_generator(
            generator, str(tmp_path / 'g.pt2'), 'AtoB', 'exported-program', fp16=True
        )
