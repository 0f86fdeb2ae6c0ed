"""PackTranslationInputs: the design.md contract."""

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from cyclegan_plugin.datasets.transforms import PackTranslationInputs


def test_packs_tensors_and_metainfo():
    img_a = np.random.randint(0, 256, (4, 5, 3), dtype=np.uint8)
    flipped = img_a[:, ::-1]  # a negative-stride view, as flips produce
    out = PackTranslationInputs()(
        dict(
            img_A=flipped,
            img_B=img_a,
            img_A_path='a.png',
            img_B_path='b.png',
            ori_shape_A=(4, 5),
            ori_shape_B=(4, 5),
            sample_idx=3,
            crop_bbox_img_A=(0, 0, 5, 4),
        )
    )
    assert set(out['inputs']) == {'img_A', 'img_B'}
    tensor = out['inputs']['img_A']
    assert tensor.dtype == torch.uint8 and tensor.shape == (3, 4, 5)
    np.testing.assert_array_equal(tensor.permute(1, 2, 0).numpy(), flipped)
    sample = out['data_samples']
    assert isinstance(sample, BaseDataElement)
    assert sample.metainfo == dict(
        img_A_path='a.png',
        img_B_path='b.png',
        ori_shape_A=(4, 5),
        ori_shape_B=(4, 5),
        aligned=False,
        sample_idx=3,
    )


def test_rejects_missing_or_bad_images():
    img = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(KeyError, match='img_B'):
        PackTranslationInputs()(dict(img_A=img))
    with pytest.raises(ValueError, match='uint8'):
        PackTranslationInputs()(dict(img_A=img.astype(np.float32), img_B=img))
    out = PackTranslationInputs(keys='img_A')(dict(img_A=img, aligned=True))
    assert list(out['inputs']) == ['img_A'] and out['data_samples'].aligned
