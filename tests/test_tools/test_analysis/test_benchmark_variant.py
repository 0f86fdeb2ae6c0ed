"""BenchmarkVariant: specs in, the same specs out, mistakes named."""

import pytest
import torch
from analysis.benchmark_variant import BenchmarkVariant


@pytest.mark.parametrize(
    'spec, expected',
    [
        ('plain', BenchmarkVariant('plain')),
        ('fp32', BenchmarkVariant()),
        ('bf16+channels_last', BenchmarkVariant(amp='bf16', channels_last=True)),
        ('ours+fp16+compile', BenchmarkVariant(amp='fp16', compile=True)),
        ('plain+bf16', BenchmarkVariant('plain', amp='bf16')),
        ('channels-last', BenchmarkVariant(channels_last=True)),
        ('winograd+compile', BenchmarkVariant(compile=True, winograd=True)),
        ('winograd+thin-head', BenchmarkVariant(winograd=True, thin_head=True)),
        ('onnxruntime', BenchmarkVariant('onnxruntime')),
        ('onnxruntime+fp16', BenchmarkVariant('onnxruntime', amp='fp16')),
        ('fp32+checkpointing', BenchmarkVariant(checkpointing=True)),
    ],
)
def test_parse_and_name_round_trip(spec, expected):
    variant = BenchmarkVariant.parse(spec)
    assert variant == expected
    assert BenchmarkVariant.parse(variant.name) == variant


def test_amp_dtype():
    assert BenchmarkVariant(amp='bf16').amp_dtype == torch.bfloat16
    assert BenchmarkVariant().amp_dtype is None


@pytest.mark.parametrize(
    'spec, match',
    [
        ('bf16+fast', "Unknown token 'fast'"),
        ('bf16+fp16', 'sets amp twice'),
        ('plain+compile', 'ours only'),
        ('plain+winograd', 'ours only'),
        ('onnxruntime+bf16', 'exported fp32 graph'),
        ('onnxruntime+winograd', 'exported fp32 graph'),
        ('plain+checkpointing', 'ours only'),
    ],
)
def test_bad_specs_are_named(spec, match):
    with pytest.raises(ValueError, match=match):
        BenchmarkVariant.parse(spec)
