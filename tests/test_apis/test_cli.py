"""run_cli: an expected failure is one ``error:`` line and exit code 2."""

import errno
import os
import sys
import warnings

import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from cyclegan_plugin.apis import run_cli
from cyclegan_plugin.datasets.transforms.image_io import CorruptImageError
from cyclegan_plugin.engine.runner.state_dict_check import check_model_state_dict


def _raising(error: BaseException):
    def main(argv):
        raise error

    return main


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: '), err
    assert 'Traceback' not in err
    return lines[0]


@pytest.mark.parametrize(
    'error, expected',
    [
        (ValueError('bad value\n  and how to fix it'), 'bad value and how to fix it'),
        (KeyError('--cfg-options a.b: no key b'), '--cfg-options a.b: no key b'),
        (
            FileNotFoundError(errno.ENOENT, 'No such file or directory', 'x.py'),
            "No such file or directory: 'x.py'.",
        ),
        (
            OSError(errno.ENOSPC, 'No space left on device', '/w/iter_3.pth'),
            "No space left on device: '/w/iter_3.pth'; free space on that disk",
        ),
        (
            PermissionError(errno.EACCES, 'Permission denied', '/w'),
            "Permission denied: '/w'; check its permissions, or write elsewhere",
        ),
        (
            OSError(errno.EROFS, 'Read-only file system', '/w'),
            'that file system is read-only: write elsewhere (e.g. another --work-dir',
        ),
        (CorruptImageError("Empty image file: 'a.png'."), "Empty image file: 'a.png'."),
        (MemoryError(), 'out of memory (MemoryError); use a smaller batch size'),
        (
            torch.cuda.OutOfMemoryError('CUDA out of memory. Tried to allocate 2 GiB'),
            'out of memory (CUDA out of memory. Tried to allocate 2 GiB)',
        ),
        (
            RuntimeError("DefaultCPUAllocator: can't allocate memory: 9 bytes"),
            "out of memory (DefaultCPUAllocator: can't allocate memory",
        ),
        (
            AssertionError('Torch not compiled with CUDA enabled'),
            'CUDA is not available here (Torch not compiled with CUDA enabled); '
            'run on the CPU',
        ),
    ],
)
def test_expected_failures_are_one_line(error, expected, capsys):
    assert run_cli(_raising(error), []) == 2
    assert expected in _one_error_line(capsys)


def test_failed_write_names_the_file_being_written(tmp_path, capsys):
    def main(argv):
        with open(tmp_path / 'iter_3.pth', 'wb') as file:
            file.write(b'weights')
            # What write() raises on a full disk: an OSError naming no file.
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    assert run_cli(main, []) == 2
    assert _one_error_line(capsys) == (
        f"error: No space left on device: '{tmp_path / 'iter_3.pth'}'; free space "
        'on that disk, or write elsewhere (e.g. another --work-dir or --out).'
    )


def test_long_message_keeps_first_and_last_line(capsys):
    message = 'Cannot read x.pth: bad\ndetail 1\ndetail 2\ndetail 3\nDelete it.'
    assert run_cli(_raising(ValueError(message)), []) == 2
    assert _one_error_line(capsys) == 'error: Cannot read x.pth: bad ... Delete it.'


def test_package_runtime_error_is_expected(capsys):
    def main(argv):
        check_model_state_dict(torch.nn.Linear(2, 2), {}, source='other.pth')

    assert run_cli(main, []) == 2
    line = _one_error_line(capsys)
    assert 'other.pth' in line and 'tools/convert_checkpoint.py' in line


@pytest.mark.parametrize(
    'error', [TypeError('a bug'), RuntimeError('a bug outside the package')]
)
def test_bugs_keep_their_traceback(error):
    with pytest.raises(type(error), match='a bug'):
        run_cli(_raising(error), [])


def test_debug_flag_and_env_show_the_traceback(monkeypatch):
    seen = []

    def main(argv):
        seen.append(argv)
        raise ValueError('bad value')

    with pytest.raises(ValueError, match='bad value'):
        run_cli(main, ['--debug', 'config.py'])
    assert seen == [['config.py']]  # the tool's parser never sees --debug
    monkeypatch.setenv('CYCLEGAN_DEBUG', '1')
    with pytest.raises(ValueError, match='bad value'):
        run_cli(main, ['config.py'])


class _CorruptDataset(Dataset):
    def __len__(self) -> int:
        return 2

    def __getitem__(self, idx: int):
        raise CorruptImageError(f"Empty image file: 'trainA/{idx}.png'. Delete it.")


def test_dataloader_worker_error_shows_the_workers_message(capsys):
    def main(argv):
        next(iter(DataLoader(_CorruptDataset(), num_workers=1)))

    assert run_cli(main, []) == 2
    assert (
        _one_error_line(capsys) == "error: Empty image file: 'trainA/0.png'. Delete it."
    )


def test_main_without_argv_reads_sys_argv_and_return_codes_pass():
    seen = []

    def main():
        seen.append(sys.argv[1:])
        return 3

    assert run_cli(main, ['a', '--debug', 'b']) == 3
    assert seen == [['a', 'b']]
    assert run_cli(lambda argv: {'FID': 1.0}, []) == 0


def test_warnings_are_one_line(capsys):
    def main(argv):
        warnings.warn('few images\n  in folder x', UserWarning, stacklevel=1)

    with warnings.catch_warnings():
        warnings.simplefilter('always')
        assert run_cli(main, []) == 0
    assert capsys.readouterr().err == 'warning: few images in folder x\n'


def test_help_mentions_debug(capsys):
    import argparse

    def main(argv):
        argparse.ArgumentParser(prog='tool').parse_args(argv)

    with pytest.raises(SystemExit) as exit_:
        run_cli(main, ['--help'])
    assert exit_.value.code == 0
    assert '--debug' in capsys.readouterr().out
