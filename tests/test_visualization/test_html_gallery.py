import json
import re

import cv2
import numpy as np
import pytest

from cyclegan_plugin.visualization import HTMLGallery


def image(value: int) -> np.ndarray:
    rgb = np.zeros((6, 8, 3), np.uint8)
    rgb[..., 0] = value  # red channel, to catch RGB/BGR mix-ups
    return rgb


def test_entries_newest_first_with_scalars_and_relative_images(tmp_path):
    gallery = HTMLGallery(str(tmp_path), title='run <1>')
    for step in (100, 200):
        gallery.add(
            step,
            dict(A=image(step), B=image(5)),
            dict(A='real A | G_A(A)'),
            dict(loss_G=step / 1000),
        )
    page = (tmp_path / 'index.html').read_text()
    assert 'run &lt;1&gt;' in page  # escaped
    assert page.index('iteration 200') < page.index('iteration 100')
    assert '<td>0.2</td>' in page and '<th>loss_G</th>' in page
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources == [
        'vis_images/iter_00000200_A.png',
        'vis_images/iter_00000200_B.png',
        'vis_images/iter_00000100_A.png',
        'vis_images/iter_00000100_B.png',
    ]
    saved = cv2.imread(str(tmp_path / sources[0]))[..., ::-1]
    np.testing.assert_array_equal(saved, image(200))
    assert 'real A | G_A(A)' in page
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ['index.html', 'vis_images']


def test_history_survives_a_new_instance_and_is_cut_for_a_fresh_run(tmp_path):
    HTMLGallery(str(tmp_path)).add(10, dict(A=image(1)))
    HTMLGallery(str(tmp_path)).add(20, dict(A=image(2)))
    resumed = HTMLGallery(str(tmp_path))
    assert [e['step'] for e in resumed.entries] == [20, 10]
    resumed.drop_after(10)
    stored = json.loads((tmp_path / 'vis_images' / 'entries.json').read_text())
    assert [e['step'] for e in stored] == [10]
    assert 'iteration 20' not in (tmp_path / 'index.html').read_text()
    resumed.add(10, dict(A=image(3)))  # same step again replaces, not duplicates
    assert [e['step'] for e in resumed.entries] == [10]


def test_image_dir_must_stay_inside_root(tmp_path):
    with pytest.raises(ValueError, match='inside root'):
        HTMLGallery(str(tmp_path), image_dir='../elsewhere')
