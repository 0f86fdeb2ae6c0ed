"""No entry point runs code stored in a checkpoint, whatever torch's default.

``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` gives torch >= 2.6 the default of the
torch versions before it (``weights_only=False``, full unpickling), so these
tests show what a user of torch 2.1 (MMagic's pin) would get.
"""

import cv2
import numpy as np
import pytest
import torch

from .tool_helpers import REPO, run_tool

DEMO = REPO / 'configs' / 'cyclegan_demo.py'


class _RunsCode:
    """Unpickling this writes ``marker``: stands for any code in a file."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f'open({self.marker!r}, "w").write("code ran")',))


@pytest.fixture
def evil(tmp_path, monkeypatch):
    """A checkpoint whose unpickling writes a marker file; old torch default."""
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    marker = tmp_path / 'code_ran'
    path = tmp_path / 'evil.pth'
    torch.save(
        {
            'meta': {'iter': 1, 'epoch': 0},
            'state_dict': {},
            'payload': _RunsCode(marker),
        },
        path,
    )
    return path, marker


def _image(tmp_path):
    path = tmp_path / 'in.png'
    cv2.imwrite(str(path), np.zeros((32, 32, 3), np.uint8))
    return path


TOOL_RUNS = {
    'train --resume': lambda t, ckpt: [
        'tools/train.py', DEMO, '--work-dir', t / 'w', '--resume', ckpt
    ],
    'train load_from': lambda t, ckpt: [
        'tools/train.py', DEMO, '--work-dir', t / 'w', '--cfg-options',
        f'load_from={ckpt}',
    ],
    'test': lambda t, ckpt: [
        'tools/test.py', DEMO, ckpt, '--work-dir', t / 'w', '--cfg-options',
        'test_dataloader.dataset.num_samples=2',
    ],
    'translate': lambda t, ckpt: [
        'tools/translate.py', DEMO, ckpt, _image(t), '--out', t / 'o'
    ],
    'convert --from junyanz': lambda t, ckpt: [
        'tools/convert_checkpoint.py', '--from', 'junyanz', '--G-A', ckpt,
        '--out', t / 'c.pth',
    ],
    'convert --from mmagic': lambda t, ckpt: [
        'tools/convert_checkpoint.py', '--from', 'mmagic', ckpt, '--domains',
        'a', 'b', '--out', t / 'c.pth',
    ],
    'convert --to junyanz': lambda t, ckpt: [
        'tools/convert_checkpoint.py', '--to', 'junyanz', ckpt, '--out-dir',
        t / 'd',
    ],
    'convert --to mmagic': lambda t, ckpt: [
        'tools/convert_checkpoint.py', '--to', 'mmagic', ckpt, '--out-dir',
        t / 'd',
    ],
}  # fmt: skip


@pytest.mark.parametrize('entry', sorted(TOOL_RUNS))
def test_tools_refuse_code_in_checkpoint(entry, evil, tmp_path):
    path, marker = evil
    proc = run_tool(*TOOL_RUNS[entry](tmp_path, path), check=False)
    assert not marker.exists(), f'{entry} ran code from the checkpoint'
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'evil.pth' in proc.stderr and '--trust-checkpoint' in proc.stderr
    assert 'Traceback' not in proc.stderr, proc.stderr[-2000:]


def test_test_tool_trusts_only_when_asked(evil, tmp_path):
    """--trust-checkpoint is the opt-in to full unpickling (and it reaches it)."""
    path, marker = evil
    run_tool(*TOOL_RUNS['test'](tmp_path, path), '--trust-checkpoint', check=False)
    assert marker.exists()


def test_python_api_refuses_code_in_checkpoint(evil):
    from cyclegan_plugin.apis import init_model
    from cyclegan_plugin.apis.inferencer import CycleGANInferencer

    path, marker = evil
    with pytest.raises(ValueError, match=r'evil\.pth.*--trust-checkpoint'):
        init_model(str(DEMO), str(path))
    with pytest.raises(ValueError, match=r'evil\.pth.*--trust-checkpoint'):
        CycleGANInferencer(str(DEMO), str(path))
    assert not marker.exists()
