"""tools/download_dataset.py: fails cleanly offline, unpacks a local zip."""

import importlib.util
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from cyclegan_plugin.apis import run_cli
from cyclegan_plugin.datasets import download
from cyclegan_plugin.datasets.download import DownloadError, download_dataset

TOOL = Path(__file__).parents[2] / 'tools' / 'download_dataset.py'
# Port 9 (discard) on localhost refuses at once: an offline server, no waiting.
REFUSED = 'http://127.0.0.1:9/{name}.zip'


def _load_tool():
    spec = importlib.util.spec_from_file_location('download_dataset_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _zip(path: Path, folders, top='horse2zebra') -> Path:
    ok, png = cv2.imencode('.png', np.zeros((4, 4, 3), np.uint8))
    assert ok
    with zipfile.ZipFile(path, 'w') as zf:
        for folder in folders:
            zf.writestr(f'{top}/{folder}/0.png', png.tobytes())
    return path


def test_default_url_is_the_authors():
    assert download.URL_TEMPLATE.format(name='horse2zebra') == (
        'http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip'
    )


def test_offline_fails_with_instructions_and_leaves_nothing(tmp_path):
    root = tmp_path / 'data'
    with pytest.raises(DownloadError) as info:
        download_dataset('horse2zebra', root, timeout=2, url_template=REFUSED)
    message = str(info.value)
    assert '127.0.0.1:9/horse2zebra.zip' in message
    assert 'trainA/ trainB/ testA/ testB/' in message
    assert 'configs/cyclegan_demo.py' in message
    assert not root.exists()


def test_tool_exits_2_with_message_offline(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(download, 'URL_TEMPLATE', REFUSED)
    (tmp_path / 'data').mkdir()
    rc = run_cli(
        _load_tool().main,
        ['facades', '--root', str(tmp_path / 'data'), '--timeout', '2'],
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith('error: Could not download') and err.count('\n') == 1
    assert list((tmp_path / 'data').iterdir()) == []


def test_local_zip_is_unpacked_and_checked(tmp_path, monkeypatch, capsys):
    _zip(tmp_path / 'horse2zebra.zip', ['trainA', 'trainB', 'testA', 'testB'])
    monkeypatch.setattr(download, 'URL_TEMPLATE', f'file://{tmp_path}/{{name}}.zip')
    root = tmp_path / 'data'
    assert _load_tool().main(['horse2zebra', '--root', str(root)]) == 0
    assert 'horse2zebra' in capsys.readouterr().out
    assert sorted(p.name for p in (root / 'horse2zebra').iterdir()) == [
        'testA',
        'testB',
        'trainA',
        'trainB',
    ]
    assert [p.name for p in root.iterdir()] == ['horse2zebra']  # no temp files
    with pytest.raises(FileExistsError, match='already exists'):
        download_dataset(
            'horse2zebra', root, url_template=f'file://{tmp_path}/{{name}}.zip'
        )


def test_bad_archives_leave_no_folder(tmp_path):
    _zip(tmp_path / 'maps.zip', ['trainA', 'trainB', 'testA'], top='maps')
    (tmp_path / 'facades.zip').write_text('not a zip')
    template = f'file://{tmp_path}/{{name}}.zip'
    root = tmp_path / 'data'
    with pytest.raises(DownloadError, match='testB'):
        download_dataset('maps', root, url_template=template)
    with pytest.raises(DownloadError, match='not a valid zip'):
        download_dataset('facades', root, url_template=template)
    assert not root.exists()


def test_names_cityscapes_and_unknown(tmp_path):
    with pytest.raises(DownloadError, match='cityscapes-dataset.com'):
        download_dataset('cityscapes', tmp_path)
    with pytest.raises(ValueError, match='horse2zebra'):
        download_dataset('horse2cat', tmp_path)
    assert set(download.DATASET_LAYOUTS) >= {'apple2orange', 'ae_photos', 'maps'}
