"""Our transforms against the mmcv transforms they use or stand in for.

``ResizeImages`` is mmcv's ``Resize`` under ``TransformBroadcaster``: its
images must equal those of the per-key ``mmcv.imresize`` loop it replaced.
``RandomFlipImages`` stays ours because sharing follows each sample's
``aligned``; for a fixed choice it draws exactly what mmcv's broadcast
``RandomFlip`` draws.
"""

from pathlib import Path

import mmcv
import numpy as np
import pytest
from mmcv.transforms import Compose, RandomFlip, TransformBroadcaster
from mmengine.config import Config
from mmengine.registry import DefaultScope

from cyclegan_plugin.datasets.transforms import RandomFlipImages, ResizeImages
from cyclegan_plugin.registry import TRANSFORMS

CONFIGS = Path(__file__).resolve().parents[3] / 'configs' / '_base_' / 'datasets'
INTERPOLATIONS = ['nearest', 'bilinear', 'bicubic', 'area', 'lanczos']


def _reference_resize(results, size_of, keys, interpolation, backend):
    """The loop ResizeImages ran before it used mmcv's Resize."""
    for key in keys:
        img = results[key]
        size = size_of(*img.shape[:2])
        if size != (img.shape[1], img.shape[0]):
            results[key] = mmcv.imresize(
                img, size, interpolation=interpolation, backend=backend
            )
    return results


def _images(seed, shape_a=(37, 50), shape_b=(64, 41)):
    rng = np.random.default_rng(seed)
    return dict(
        img_A=rng.integers(0, 256, (*shape_a, 3), dtype=np.uint8),
        img_B=rng.integers(0, 256, (*shape_b, 3), dtype=np.uint8),
    )


def _copy(sample):
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in sample.items()}


@pytest.mark.parametrize(
    'interpolation, backend',
    [
        (interpolation, backend)
        for backend in ('cv2', 'pillow')
        for interpolation in INTERPOLATIONS
        if not (backend == 'pillow' and interpolation == 'area')  # Pillow has none
    ],
)
def test_resize_equals_the_per_key_imresize_loop(interpolation, backend):
    cases = [
        (dict(scale=29), lambda h, w: (29, 29)),
        (dict(scale=(50, 37)), lambda h, w: (50, 37)),  # A is already that size
        (
            dict(scale=24, mode='scale_width'),
            lambda h, w: (24, max(int(round(24 * h / w)), 0)),
        ),
        (
            dict(scale=24, mode='scale_width', min_height=30),
            lambda h, w: (24, max(int(round(24 * h / w)), 30)),
        ),
    ]
    for seed, (kwargs, size_of) in enumerate(cases):
        for keys in (['img_A', 'img_B'], ['img_B']):
            sample = _images(seed)
            sample['img_A_path'] = 'a.png'
            new = ResizeImages(
                keys=keys, interpolation=interpolation, backend=backend, **kwargs
            )(_copy(sample))
            old = _reference_resize(
                _copy(sample), size_of, keys, interpolation, backend
            )
            assert set(new) == set(old)  # no Resize bookkeeping keys leak out
            for key in ('img_A', 'img_B'):
                assert new[key].dtype == np.uint8
                np.testing.assert_array_equal(new[key], old[key])


def _config_pipeline(name, split):
    cfg = Config.fromfile(str(CONFIGS / name))
    pipeline = cfg[f'{split}_pipeline']
    # The images come from memory here: everything after the loading step.
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        return Compose([TRANSFORMS.build(t) for t in pipeline[1:-1]]), pipeline


def _reference_pipeline(pipeline):
    """The config's steps with the resize done by the reference loop."""
    steps = []
    for t in pipeline[1:-1]:
        if t['type'] != 'ResizeImages':
            steps.append(TRANSFORMS.build(t))
            continue
        size = (t['scale'], t['scale'])
        steps.append(
            lambda r, t=t, size=size: _reference_resize(
                r, lambda h, w: size, t['keys'], t['interpolation'], 'cv2'
            )
        )
    return steps


@pytest.mark.parametrize('name', ['unpaired_256.py', 'aligned_256.py'])
@pytest.mark.parametrize('split', ['train', 'test'])
def test_config_pipelines_give_the_same_images(name, split):
    new, pipeline = _config_pipeline(name, split)
    old = _reference_pipeline(pipeline)
    for seed in range(3):
        for aligned in (False, True):
            sample = _images(seed, (300, 320), (256, 290))
            if aligned:
                sample['img_B'] = sample['img_A'][:, ::-1].copy()
            sample['aligned'] = aligned
            np.random.seed(seed)
            got = new(_copy(sample))
            np.random.seed(seed)
            want = _copy(sample)
            for step in old:
                want = step(want)
            for key in ('img_A', 'img_B'):
                np.testing.assert_array_equal(got[key], want[key])
            assert got['img_A'].shape == got['img_B'].shape == (256, 256, 3)
            if aligned and split == 'train':
                # One crop window and one flip decision for both images.
                assert got['crop_bbox_img_A'] == got['crop_bbox_img_B']
                assert got['flip_img_A'] == got['flip_img_B']


@pytest.mark.parametrize('aligned', [False, True])
def test_flip_draws_what_mmcvs_broadcast_random_flip_draws(aligned):
    ours = RandomFlipImages(prob=0.5, direction=['horizontal', 'vertical'])
    theirs = TransformBroadcaster(
        transforms=[RandomFlip(prob=0.5, direction=['horizontal', 'vertical'])],
        mapping={
            'img': ['img_A', 'img_B'],
            'flip_direction': ['flip_direction_img_A', 'flip_direction_img_B'],
        },
        auto_remap=True,
        allow_nonexist_keys=True,
        share_random_params=aligned,
    )
    np.random.seed(0)
    flipped = {True: 0, False: 0}
    for seed in range(30):
        sample = _images(seed, (8, 8), (8, 8))
        sample['aligned'] = aligned
        state = np.random.get_state()
        got = ours(_copy(sample))
        np.random.set_state(state)
        want = theirs(_copy(sample))
        for key in ('img_A', 'img_B'):
            np.testing.assert_array_equal(got[key], want[key])
            assert got[f'flip_direction_{key}'] == want[f'flip_direction_{key}']
        same = got['flip_direction_img_A'] == got['flip_direction_img_B']
        flipped[same] += 1
    # Aligned pairs always share the decision; unpaired ones sometimes differ.
    assert flipped[False] == 0 if aligned else flipped[False] > 0
