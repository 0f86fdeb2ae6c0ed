import numpy as np
import pytest
from mmengine.visualization import LocalVisBackend

from cyclegan_plugin.visualization import (
    find_scalar_logs,
    load_scalars,
    moving_average,
    plot_curves,
)


def write_run(work_dir, timestamp, records):
    """Scalar logs exactly as MMEngine's LocalVisBackend writes them."""
    backend = LocalVisBackend(save_dir=str(work_dir / timestamp / 'vis_data'))
    for step, record in records:
        backend.add_scalars(record, step=step, file_path=f'{timestamp}.json')
    return work_dir / timestamp / 'vis_data' / 'scalars.json'


def test_finds_every_run_oldest_first_and_accepts_a_run_folder(tmp_path):
    second = write_run(tmp_path, '20240102_000000', [(1, dict(loss=1.0))])
    first = write_run(tmp_path, '20240101_000000', [(1, dict(loss=2.0))])
    assert find_scalar_logs(str(tmp_path)) == [str(first), str(second)]
    assert find_scalar_logs(str(tmp_path / '20240101_000000')) == [str(first)]
    assert find_scalar_logs(str(first)) == [str(first)]


def test_missing_log_names_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=f'{tmp_path}.*scalars.json'):
        find_scalar_logs(str(tmp_path))


def test_resumed_run_overrides_repeated_steps(tmp_path):
    first = write_run(
        tmp_path,
        '20240101_000000',
        [(s, dict(loss_G=float(s), lr=0.1, time=0.5, iter=s)) for s in (1, 2, 3)],
    )
    second = write_run(
        tmp_path,
        '20240102_000000',
        [(3, dict(loss_G=30.0)), (4, dict(loss_G=40.0)), (4, {'FID-AtoB': 80.5})],
    )
    series = load_scalars([str(first), str(second)])
    steps, values = series['loss_G']
    assert steps.tolist() == [1, 2, 3, 4] and values.tolist() == [1, 2, 30, 40]
    assert series['FID-AtoB'][1].tolist() == [80.5]


def test_moving_average():
    np.testing.assert_allclose(
        moving_average(np.array([1, 3, 5, 7.0]), 2), [1, 2, 4, 6]
    )
    np.testing.assert_allclose(moving_average(np.array([2, 4.0]), 1), [2, 4])


def test_plot_selected_and_default_keys(tmp_path):
    log = write_run(
        tmp_path,
        '20240101_000000',
        [
            (s, dict(loss_G=1 / s, loss_D=0.5, lr=2e-4, time=0.1, data_time=0.01))
            for s in range(1, 30)
        ],
    )
    series = load_scalars([str(log)])
    out = tmp_path / 'curves.png'
    assert plot_curves({'run': series}, str(out), smooth=5) == [
        'loss_G',
        'loss_D',
        'lr',
    ]
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    with pytest.raises(KeyError, match=r"\['FID'\].*available"):
        plot_curves({'run': series}, str(out), keys=['loss_G', 'FID'])
