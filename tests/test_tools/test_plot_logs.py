import importlib.util
import json
from pathlib import Path

import cv2
import pytest

REPO = Path(__file__).parents[2]


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'plot_logs', REPO / 'tools' / 'plot_logs.py'
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_curves_from_a_work_dir(tmp_path, capsys):
    vis_data = tmp_path / '20240101_000000' / 'vis_data'
    vis_data.mkdir(parents=True)
    lines = [dict(loss_G=5.0 / s, loss_D=0.4, lr=2e-4, step=s) for s in range(1, 21)]
    lines.append({'PSNR-AtoB': 17.5, 'step': 20})
    (vis_data / 'scalars.json').write_text('\n'.join(json.dumps(x) for x in lines))

    out = load_tool().main(
        [str(tmp_path), '--keys', 'loss_G', 'PSNR-AtoB', '--smooth', '3']
    )
    assert out == str(tmp_path / 'curves.png')
    image = cv2.imread(out)
    assert (
        image is not None and image.shape[1] > image.shape[0]
    )  # two plots side by side
    assert 'Plotted loss_G, PSNR-AtoB from 1 log(s)' in capsys.readouterr().out

    custom = tmp_path / 'all.png'
    load_tool().main([str(tmp_path), '--out', str(custom)])
    assert cv2.imread(str(custom)) is not None


def test_clear_error_without_logs(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        load_tool().main([str(tmp_path)])
