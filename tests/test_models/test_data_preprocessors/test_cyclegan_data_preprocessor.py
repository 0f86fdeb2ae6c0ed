import pytest
import torch

from cyclegan_plugin.registry import MODELS


def test_stacks_scales_and_destructs():
    pre = MODELS.build(dict(type='CycleGANDataPreprocessor'))
    a = [torch.tensor([0, 255, 128], dtype=torch.uint8).view(3, 1, 1)] * 2
    out = pre(dict(inputs=dict(img_A=a, img_B=a), data_samples=None))
    x = out['inputs']['img_A']
    assert x.shape == (2, 3, 1, 1) and x.dtype == torch.float32
    assert torch.allclose(
        x[0].flatten(), torch.tensor([-1.0, 1.0, 128 / 127.5 - 1]), atol=1e-6
    )
    assert torch.equal(pre.destruct(x)[0], a[0])


def test_single_domain():
    # Layout (channels_last) is the model's choice, not the preprocessor's.
    pre = MODELS.build(dict(type='CycleGANDataPreprocessor'))
    img = torch.randint(0, 256, (2, 3, 4, 4), dtype=torch.uint8)
    out = pre(dict(inputs=dict(img_A=img)))
    assert out['inputs']['img_A'].is_contiguous()
    assert 'img_B' not in out['inputs']


def test_errors_name_the_problem():
    pre = MODELS.build(dict(type='CycleGANDataPreprocessor'))
    with pytest.raises(KeyError, match='PackTranslationInputs'):
        pre(dict(inputs=torch.zeros(1, 3, 4, 4)))
    mixed = [
        torch.zeros(3, 4, 4, dtype=torch.uint8),
        torch.zeros(3, 8, 8, dtype=torch.uint8),
    ]
    with pytest.raises(ValueError, match='share a shape'):
        pre(dict(inputs=dict(img_A=mixed)))
