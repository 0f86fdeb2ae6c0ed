"""Finding images by extension; the errors for missing data."""

import pytest

from cyclegan_plugin.datasets import check_data_root, list_images


def test_lists_images_sorted_case_insensitive_recursive(tmp_path):
    names = ['b.PNG', 'a.jpg', 'c.JpEg', 'd.bmp', 'e.tif', 'f.TIFF', 'g.webp']
    for name in names:
        (tmp_path / name).write_bytes(b'x')
    (tmp_path / 'sub').mkdir()
    (tmp_path / 'sub' / 'h.png').write_bytes(b'x')
    for ignored in ('SHA256SUMS', 'notes.txt', '.DS_Store', '._a.jpg'):
        (tmp_path / ignored).write_bytes(b'x')
    (tmp_path / '.cache').mkdir()
    (tmp_path / '.cache' / 'i.png').write_bytes(b'x')
    found = [p[len(str(tmp_path)) + 1 :] for p in list_images(str(tmp_path))]
    assert found == sorted(names) + ['sub/h.png']
    assert len(list_images(str(tmp_path), max_size=2)) == 2


def test_empty_or_missing_folder_is_named(tmp_path):
    (tmp_path / 'trainA').mkdir()
    (tmp_path / 'trainA' / 'readme.txt').write_text('no images')
    with pytest.raises(FileNotFoundError, match='trainA.*no image files'):
        list_images(str(tmp_path / 'trainA'))
    with pytest.raises(FileNotFoundError, match='trainB.*does not exist'):
        list_images(str(tmp_path / 'trainB'))


def test_missing_root_says_how_to_get_data(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        check_data_root(str(tmp_path / 'horse2zebra'))
    message = str(info.value)
    assert 'horse2zebra' in message
    assert 'tools/download_dataset.py' in message
    assert 'trainA/' in message and 'testB/' in message
    assert 'configs/cyclegan_demo.py' in message


def _relative(paths, root):
    return [p[len(str(root)) + 1 :] for p in paths]


def test_symlink_loop_is_walked_once_with_a_warning(tmp_path, make_images):
    make_images(tmp_path / 'sub', 2)
    make_images(tmp_path, 2, seed=1)
    # sub/loop -> .. : without a guard os.walk follows it until ELOOP.
    (tmp_path / 'sub' / 'loop').symlink_to('..', target_is_directory=True)
    with pytest.warns(UserWarning, match=r"Symlink '.*sub/loop' leads to"):
        found = list_images(str(tmp_path))
    assert _relative(found, tmp_path) == [
        '000.png',
        '001.png',
        'sub/000.png',
        'sub/001.png',
    ]


def test_each_real_file_is_listed_once(tmp_path, make_images):
    make_images(tmp_path / 'real', 2)
    # The first path in sorted order is kept: real/ before z_again/, and
    # copy.png before real/000.png.
    (tmp_path / 'z_again').symlink_to('real', target_is_directory=True)
    (tmp_path / 'copy.png').symlink_to(tmp_path / 'real' / '000.png')
    with pytest.warns(UserWarning) as caught:
        found = list_images(str(tmp_path))
    assert _relative(found, tmp_path) == ['copy.png', 'real/001.png']
    messages = ' '.join(str(w.message) for w in caught)
    assert "z_again' leads to" in messages and 'real/000.png' in messages


def test_broken_link_is_skipped_with_a_warning(tmp_path, make_images):
    make_images(tmp_path, 1)
    (tmp_path / 'gone.png').symlink_to(tmp_path / 'nowhere.png')
    with pytest.warns(UserWarning, match='gone.png'):
        found = list_images(str(tmp_path))
    assert _relative(found, tmp_path) == ['000.png']
