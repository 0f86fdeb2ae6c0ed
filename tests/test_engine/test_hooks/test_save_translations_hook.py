"""SaveTranslationsHook names each output after its input's path, never twice."""

from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from cyclegan_plugin.datasets import UnpairedImageDataset
from cyclegan_plugin.engine.hooks import SaveTranslationsHook

PIPELINE = [
    dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),
    dict(type='PackTranslationInputs', keys=['img_A', 'img_B']),
]


def _image(path: Path, value: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full((8, 8, 3), value, np.uint8))


def _runner(tmp_path, dataset):
    loop = SimpleNamespace(dataloader=SimpleNamespace(dataset=dataset))
    logger = SimpleNamespace(info=lambda message: None)
    return SimpleNamespace(work_dir=str(tmp_path), test_loop=loop, logger=logger)


def _outputs(dataset):
    """What the model returns for each item: its metainfo and a fake_B image."""
    outputs = []
    for i in range(len(dataset)):
        meta = dataset[i]['data_samples'].metainfo
        sample = BaseDataElement(metainfo=meta)
        sample.fake_B = torch.full((3, 8, 8), i * 10, dtype=torch.uint8)
        outputs.append(sample)
    return outputs


def _test(hook, runner, dataset):
    hook.before_test_epoch(runner)
    hook.after_test_iter(runner, 0, outputs=_outputs(dataset))
    hook.after_test_epoch(runner)


def test_same_names_in_sub_folders_stay_apart(tmp_path):
    root = tmp_path / 'data'
    for i, name in enumerate(['sub1/x.jpg', 'sub2/x.jpg', 'x.png']):
        _image(root / 'testA' / name, 40 * i)
    _image(root / 'testB' / 'y.png', 0)
    dataset = UnpairedImageDataset(
        str(root), split='test', serial=True, pipeline=PIPELINE, test_mode=True
    )
    out = tmp_path / 'out'
    hook = SaveTranslationsHook(out_dir=str(out), fields=('fake_B',))
    _test(hook, _runner(tmp_path, dataset), dataset)
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob('*.png'))
    assert written == ['fake_B/sub1/x.png', 'fake_B/sub2/x.png', 'fake_B/x.png']
    # Each file is its own input's translation (the item index, times 10).
    values = {n: cv2.imread(str(out / n))[0, 0, 0] for n in written}
    assert sorted(values.values()) == [0, 10, 20]


def test_two_inputs_for_one_name_fail_before_writing(tmp_path):
    root = tmp_path / 'data'
    _image(root / 'testA' / 'x.jpg', 0)
    _image(root / 'testA' / 'x.png', 50)
    _image(root / 'testB' / 'y.png', 0)
    dataset = UnpairedImageDataset(
        str(root), split='test', serial=True, pipeline=PIPELINE, test_mode=True
    )
    out = tmp_path / 'out'
    hook = SaveTranslationsHook(out_dir=str(out))
    with pytest.raises(ValueError, match=r"'.*x.jpg' and '.*x.png' would both"):
        hook.before_test_epoch(_runner(tmp_path, dataset))
    assert not out.exists()


def test_without_a_file_list_the_second_input_of_a_name_fails(tmp_path):
    # A dataset that lists no files: names are checked as they come.
    hook = SaveTranslationsHook(out_dir=str(tmp_path / 'out'), fields=('fake_B',))
    runner = _runner(tmp_path, dataset=None)
    hook.before_test_epoch(runner)
    samples = []
    for src in ('a/x.jpg', 'a/x.jpg', 'b/x.jpg'):
        sample = BaseDataElement(metainfo=dict(img_A_path=src))
        sample.fake_B = torch.zeros((3, 4, 4), dtype=torch.uint8)
        samples.append(sample)
    hook.after_test_iter(runner, 0, outputs=samples[:2])  # the same input twice
    with pytest.raises(ValueError, match=r"'a/x.jpg' and 'b/x.jpg' would both"):
        hook.after_test_iter(runner, 1, outputs=samples[2:])


def test_through_the_runners_test_loop(tmp_path):
    from mmengine.runner import Runner

    root = tmp_path / 'data'
    for i, name in enumerate(['sub1/x.jpg', 'sub2/x.jpg', 'x.png']):
        _image(root / 'testA' / name, 40 * i)
        _image(root / 'testB' / name.replace('x', 'y'), 40 * i)
    out = tmp_path / 'out'
    runner = Runner(
        model=dict(
            type='CycleGAN',
            generator=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
            discriminator=dict(type='PatchDiscriminator', base_channels=4, num_conv=1),
        ),
        work_dir=str(tmp_path / 'work'),
        default_scope='cyclegan_plugin',
        test_dataloader=dict(
            batch_size=2,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(
                type='UnpairedImageDataset',
                data_root=str(root),
                split='test',
                serial=True,
                aligned=True,
                pipeline=PIPELINE,
                test_mode=True,
            ),
        ),
        test_evaluator=dict(type='L1'),
        test_cfg=dict(),
        custom_hooks=[dict(type='SaveTranslationsHook', out_dir=str(out))],
    )
    runner.test()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob('*.png')) == [
        'fake_A/sub1/y.png',
        'fake_A/sub2/y.png',
        'fake_A/y.png',
        'fake_B/sub1/x.png',
        'fake_B/sub2/x.png',
        'fake_B/x.png',
    ]
