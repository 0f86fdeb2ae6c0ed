"""The CPU fast paths end to end: train with Winograd convs, translate with each."""

import cv2
import numpy as np
import pytest
import torch

from cyclegan_plugin.registry import MODELS

from .tool_helpers import run_tool, tiny_data_root, write_tiny_config

pytestmark = pytest.mark.slow


def test_train_winograd_then_translate_with_and_without(tmp_path):
    cfg = write_tiny_config(tmp_path / 'tiny.py', max_iters=4, ckpt_interval=4)
    work = tmp_path / 'work'
    proc = run_tool(
        'tools/train.py',
        cfg,
        '--work-dir',
        work,
        '--winograd',
    )
    log = proc.stdout + proc.stderr
    assert 'cpu_kernels=True' in log  # the config it ran
    assert 'nonfinite' not in log

    # The checkpoint is a plain CycleGAN one: a native model loads it strictly.
    state = torch.load(work / 'iter_4.pth', map_location='cpu', weights_only=True)
    native = MODELS.build(
        dict(
            type='CycleGAN',
            generator=dict(type='ResnetGenerator', base_channels=8, num_blocks=1),
            discriminator=dict(type='PatchDiscriminator', base_channels=8, num_conv=2),
        )
    )
    native.load_state_dict(state['state_dict'], strict=True)

    inputs = sorted((tiny_data_root() / 'testA').glob('*.png'))[:2]
    outputs = {}
    variants = ((), ('--winograd',), ('--bf16',), ('--bf16', '--compile'))
    for flags in variants:
        out = tmp_path / ('out' + '_'.join(flags))
        run_tool(
            'tools/translate.py', cfg, work / 'iter_4.pth', *inputs, '--out', out,
            '--size', '64', *flags,
        )  # fmt: skip
        outputs[flags] = [cv2.imread(str(out / (p.stem + '.png'))) for p in inputs]
    for native_img, fast_img in zip(outputs[()], outputs[('--winograd',)]):
        assert native_img.shape == fast_img.shape == (64, 64, 3)
        # Float rounding may move a pixel across a uint8 step, no further.
        diff = np.abs(native_img.astype(int) - fast_img.astype(int))
        assert diff.max() <= 1
    # bfloat16 keeps 8 significant bits: a few levels, and compiled code
    # computes what eager bf16 does up to the order of its sums.
    for flags in variants[2:]:
        for native_img, bf16_img in zip(outputs[()], outputs[flags]):
            assert bf16_img.shape == (64, 64, 3)
            diff = np.abs(native_img.astype(int) - bf16_img.astype(int))
            assert diff.max() <= 8, flags
    proc = run_tool(
        'tools/translate.py', cfg, work / 'iter_4.pth', *inputs, '--out',
        tmp_path / 'ort', '--backend', 'onnxruntime', '--bf16', check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    assert '--bf16 applies to --backend pytorch only' in proc.stderr
    assert not (tmp_path / 'ort').exists()
