"""MMagicDataPreprocessor: MMagic's batches in, our model's contract out."""

import pytest
import torch

from cyclegan_plugin.models.data_preprocessors import mmagic_data_preprocessor  # noqa: F401 (registers)
from cyclegan_plugin.registry import MODELS, build_in_scope


def _build(**kwargs):
    return build_in_scope(MODELS, dict(type='MMagicDataPreprocessor', **kwargs))


def test_refuses_what_our_model_cannot_read():
    with pytest.raises(ValueError, match="output_channel_order must be 'RGB'"):
        _build(output_channel_order='BGR')
    with pytest.raises(ValueError, match=r"\['img_horse'\]"):
        _build(data_keys=['img_A', 'img_horse'])


@pytest.mark.mmagic
def test_rgb_in_bgr_out_and_samples_by_index():
    from mmagic.structures import DataSample

    pre = _build()
    bgr = [torch.randint(0, 256, (3, 8, 8), dtype=torch.uint8) for _ in range(2)]
    samples = []
    for i, image in enumerate(bgr):
        sample = DataSample(metainfo=dict(index=i))
        sample.set_tensor_data(dict(img_A=image, img_B=image))
        samples.append(sample)
    data = pre(dict(inputs=dict(img_A=bgr, img_B=bgr), data_samples=samples))

    expected_rgb = torch.stack(bgr).flip(1).float() / 127.5 - 1
    torch.testing.assert_close(data['inputs']['img_A'], expected_rgb)
    # Stacked for MMagic's metrics, readable per sample for our model.
    stacked = data['data_samples']
    assert stacked.img_B.shape == (2, 3, 8, 8)
    assert [stacked[i].metainfo['index'] for i in range(2)] == [0, 1]
    # Our model's outputs go back to MMagic's consumers as uint8 BGR.
    out = pre.destruct(data['inputs']['img_A'], torch.device('cpu'))
    assert out.dtype == torch.uint8
    assert torch.equal(out, torch.stack(bgr))
