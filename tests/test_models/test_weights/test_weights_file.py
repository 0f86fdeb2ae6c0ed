"""Weights-only reading and the key-listing state_dict check."""

import argparse
import os

import pytest
import torch

from cyclegan_plugin.models.weights import (
    check_state_dict,
    load_weights_file,
    trust_checkpoints,
)


def test_reads_weights_only(tmp_path):
    path = tmp_path / 'ok.pth'
    torch.save({'meta': {'iter': 3}, 'state_dict': {'w': torch.ones(2)}}, path)
    content = load_weights_file(path)
    assert content['meta'] == {'iter': 3} and torch.equal(
        content['state_dict']['w'], torch.ones(2)
    )


def test_refuses_python_objects_with_advice(tmp_path):
    path = tmp_path / 'training.pth'
    torch.save({'state_dict': {}, 'message_hub': argparse.Namespace(a=1)}, path)
    with pytest.raises(
        ValueError, match=r'training.pth could not be read as weights only'
    ) as error:
        load_weights_file(path)
    assert 'Namespace' in str(error.value) and '--trust-checkpoint' in str(error.value)
    # Trusted explicitly, or within trust_checkpoints(), it loads.
    assert load_weights_file(path, trust=True)['message_hub'].a == 1
    with trust_checkpoints():
        assert load_weights_file(path)['message_hub'].a == 1
    with pytest.raises(ValueError):
        load_weights_file(path)  # the trust ends with the block


def test_missing_and_non_dict_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_weights_file(tmp_path / 'nope.pth')
    path = tmp_path / 'tensor.pth'
    torch.save(torch.zeros(1), path)
    with pytest.raises(ValueError, match='holds a Tensor'):
        load_weights_file(path)


class _RunsCode:
    """Unpickling this writes ``marker``: stands for any code in a file."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f'open({self.marker!r}, "w").write("code ran")',))


def test_code_is_refused_whatever_torch_default(tmp_path, monkeypatch):
    # The default of torch < 2.6 (full unpickling), as torch 2.1 users get it.
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    marker = tmp_path / 'code_ran'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': _RunsCode(marker)}, path)
    with pytest.raises(ValueError, match=r'evil\.pth .*builtins\.exec') as error:
        load_weights_file(path)
    assert not marker.exists()
    message = str(error.value)
    assert '--trust-checkpoint' in message and '\n' not in message


def test_legacy_format_loads(tmp_path):
    path = tmp_path / 'legacy.pth'
    torch.save({'w': torch.ones(2)}, path, _use_new_zipfile_serialization=False)
    assert torch.equal(load_weights_file(path)['w'], torch.ones(2))


def _legacy_truncated(path):
    torch.save({'w': torch.ones(64)}, path, _use_new_zipfile_serialization=False)
    path.write_bytes(path.read_bytes()[:60])


def _zip_truncated(path):
    torch.save({'w': torch.ones(64)}, path)
    path.write_bytes(path.read_bytes()[:300])


def _zip_without_torch_data(path):
    import zipfile

    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('photos/a.txt', 'not weights')


@pytest.mark.parametrize(
    'make, what',
    [
        (lambda p: p.write_bytes(b''), 'is empty (0 bytes)'),
        (lambda p: p.write_bytes(os.urandom(4096)), 'is not a torch file'),
        (lambda p: p.write_text('{"w": [1, 2]}'), 'is not a torch file'),
        (_zip_without_torch_data, 'is not a torch file'),
        (_zip_truncated, 'zip archive is damaged'),
        (_legacy_truncated, 'its data is damaged'),
    ],
    ids=['empty', 'random', 'json', 'other-zip', 'truncated-zip', 'truncated-legacy'],
)
def test_not_a_checkpoint_says_what_it_is(tmp_path, make, what):
    """Files that are no checkpoint get no advice to unpickle them."""
    path = tmp_path / 'bad.pth'
    make(path)
    for trust in (False, True):
        with pytest.raises(ValueError) as error:
            load_weights_file(path, trust=trust)
        message = str(error.value)
        assert message.startswith(f'{path} ') and what in message, message
        assert 'trust' not in message and '\n' not in message, message


def test_check_state_dict_lists_every_problem():
    expected = {f'k{i}': torch.zeros(2) for i in range(30)}
    actual = {f'k{i}': torch.zeros(2) for i in range(25)}
    actual['k0'] = torch.zeros(3)
    actual['extra'] = torch.zeros(1)
    with pytest.raises(ValueError) as error:
        check_state_dict(expected, actual, 'file x.pth', 'Net')
    message = str(error.value)
    assert message.startswith('file x.pth does not fit Net.')
    assert 'missing keys (5): k25, k26, k27, k28, k29' in message
    assert 'unexpected keys (1): extra' in message
    assert 'k0: (3,) in the file, (2,) expected' in message

    many = {f'x{i}': torch.zeros(1) for i in range(25)}
    with pytest.raises(ValueError, match=r'x19, \.\.\. \(5 more\)'):
        check_state_dict({}, many, 'file', 'Net')
    check_state_dict(expected, dict(expected), 'file', 'Net')  # a fit passes
