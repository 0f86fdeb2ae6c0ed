"""translate_images: no input overwritten, no output mixed up, clear errors."""

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from cyclegan_plugin.apis import (
    PartialTranslationError,
    check_device,
    init_model,
    translate_images,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='module')
def model():
    """The demo's CycleGAN with tiny random generators."""
    torch.manual_seed(0)
    cfg = Config.fromfile(str(REPO / 'configs' / 'cyclegan_demo.py'))
    cfg.model.generator.update(base_channels=4, num_blocks=1)
    cfg.model.discriminator.update(base_channels=4)
    return init_model(cfg)


def _image(path: Path, size=(24, 32), value=0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb = np.random.default_rng(value).integers(0, 256, (*size, 3), dtype=np.uint8)
    assert cv2.imwrite(str(path), rgb)
    return path


def _snapshot(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob('*'))
        if p.is_file()
    }


def _translate(model, inputs, out, **kwargs):
    return translate_images(model, inputs, str(out), progress=False, **kwargs)


@pytest.fixture
def photos(tmp_path) -> Path:
    folder = tmp_path / 'in'
    _image(folder / 'a.png', value=1)
    _image(folder / 'sub' / 'b.jpg', value=2)
    return folder


def test_output_in_or_inside_an_input_folder_is_refused(model, photos):
    before = _snapshot(photos)
    with pytest.raises(ValueError, match=r"'.*in' is the input folder"):
        _translate(model, str(photos), photos)
    with pytest.raises(ValueError, match='is inside the input folder'):
        _translate(model, str(photos), photos / 'sub' / 'out')
    # Through a symlink to the input folder, too.
    (photos.parent / 'alias').symlink_to(photos, target_is_directory=True)
    with pytest.raises(ValueError, match='is the input folder'):
        _translate(model, str(photos), photos.parent / 'alias')
    assert _snapshot(photos) == before


def test_output_onto_an_input_file_is_refused_even_with_overwrite(model, photos):
    before = _snapshot(photos)
    # in/a.png translated into in/ would be written to in/a.png.
    for overwrite in (False, True):
        with pytest.raises(ValueError, match="'.*in/a.png' is the input"):
            _translate(model, str(photos / 'a.png'), photos, overwrite=overwrite)
    assert _snapshot(photos) == before


def test_existing_outputs_need_overwrite_and_nothing_is_written(model, photos):
    out = photos.parent / 'out'
    _image(out / 'a.png', value=9)
    old = (out / 'a.png').read_bytes()
    with pytest.raises(FileExistsError, match=r'1 of the 2 .*out/a.png.*overwrite'):
        _translate(model, str(photos), out)
    assert _snapshot(out) == {'a.png': old}  # sub/b.png was not written either
    written = _translate(model, str(photos), out, overwrite=True)
    assert sorted(Path(p).relative_to(out).as_posix() for p in written) == [
        'a.png',
        'sub/b.png',
    ]
    assert (out / 'a.png').read_bytes() != old


def test_two_inputs_for_one_output_name_both(model, tmp_path):
    _image(tmp_path / 'in' / 'x.jpg', value=1)
    _image(tmp_path / 'in' / 'x.png', value=2)
    out = tmp_path / 'out'
    with pytest.raises(ValueError, match=r"'.*x.jpg' and '.*x.png' would both"):
        _translate(model, str(tmp_path / 'in'), out)
    assert not out.exists()


def test_folders_and_globs_keep_sub_folders(model, tmp_path):
    _image(tmp_path / 'in' / 'sub1' / 'x.jpg', value=1)
    _image(tmp_path / 'in' / 'sub2' / 'x.jpg', value=2)
    out = tmp_path / 'out'
    written = _translate(model, str(tmp_path / 'in' / '*' / '*.jpg'), out)
    assert [Path(p).relative_to(out).as_posix() for p in written] == [
        'sub1/x.png',
        'sub2/x.png',
    ]


def test_symlink_loop_translates_each_image_once(model, tmp_path):
    _image(tmp_path / 'in' / 'a.png')
    (tmp_path / 'in' / 'loop').symlink_to('.', target_is_directory=True)
    with pytest.warns(UserWarning, match='loop'):
        written = _translate(model, str(tmp_path / 'in'), tmp_path / 'out')
    assert [Path(p).name for p in written] == ['a.png']


def test_bad_files_are_reported_and_the_others_written(model, tmp_path):
    folder = tmp_path / 'in'
    _image(folder / 'a.png', value=1)
    (folder / 'broken.jpg').write_bytes(b'not an image')
    _image(folder / 'dot.png', size=(1, 1))
    _image(folder / 'z.png', value=2)
    out = tmp_path / 'out'
    with pytest.warns(UserWarning, match='Skipping'):
        with pytest.raises(PartialTranslationError) as info:
            _translate(model, str(folder), out)
    message = str(info.value)
    assert message.startswith('2 translated, 2 failed: ')
    assert 'broken.jpg' in message and 'dot.png' in message
    assert '1x1 px is too small' in message and '--size' in message
    assert '\n' not in message
    assert sorted(p.name for p in out.iterdir()) == ['a.png', 'z.png']
    assert [Path(p).name for p, _ in info.value.failed] == ['broken.jpg', 'dot.png']


def test_out_of_memory_names_the_file_and_its_size(model, tmp_path, monkeypatch):
    _image(tmp_path / 'in' / 'big.png', size=(40, 48))
    _image(tmp_path / 'in' / 'small.png', size=(16, 16))
    real = model.translate

    def translate(x, direction):
        if x.shape[-1] >= 48:
            raise RuntimeError(
                '[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: not '
                'enough memory: you tried to allocate 123456789012 bytes.'
            )
        return real(x, direction)

    monkeypatch.setattr(model, 'translate', translate)
    with pytest.warns(UserWarning, match='big.png'):
        with pytest.raises(PartialTranslationError) as info:
            _translate(model, str(tmp_path / 'in'), tmp_path / 'out')
    message = str(info.value)
    assert message.startswith('1 translated, 1 failed:')
    assert 'big.png' in message and '48x40 px' in message and '--size' in message
    assert (tmp_path / 'out' / 'small.png').is_file()


@pytest.mark.parametrize(
    'kwargs, match',
    [
        (dict(size=0), 'size must be a positive .* got 0; leave it out'),
        (dict(size=-5), 'got -5'),
        (dict(batch_size=0), 'batch_size must be >= 1, got 0'),
        (dict(ext='jpg'), r"ext 'jpg' must start with a dot \('.jpg'\)"),
        (dict(ext='.txt'), r"'.txt' is not an image format.*\.png"),
    ],
)
def test_bad_arguments_are_refused_before_anything(model, photos, kwargs, match):
    out = photos.parent / 'out'
    with pytest.raises(ValueError, match=match):
        _translate(model, str(photos), out, **kwargs)
    assert not out.exists()


def test_cuda_without_a_gpu_says_use_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(RuntimeError, match=r"'cuda': no CUDA device .* --device cpu"):
        check_device('cuda')
    with pytest.raises(ValueError, match="'gpu' is not a device name"):
        check_device('gpu')
    assert check_device('cpu') == torch.device('cpu')


def test_a_size_too_small_for_every_image_stops_before_writing(model, photos):
    out = photos.parent / 'out'
    with pytest.raises(RuntimeError, match=r'after writing 0 of 2 .* size 2 is too'):
        _translate(model, str(photos), out, size=2, batch_size=2)
    assert not out.exists() or not any(out.rglob('*.png'))
