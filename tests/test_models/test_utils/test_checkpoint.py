"""Weights-only reading and the key-listing state_dict check."""

import argparse

import pytest
import torch

from cyclegan_plugin.models.utils import (
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
