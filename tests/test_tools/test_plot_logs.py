import importlib.util
import json
from pathlib import Path

import cv2
import pytest
from mmengine.config import Config

from cyclegan_plugin.registry import RUNNERS
from cyclegan_plugin.visualization import find_scalar_logs, load_scalars

from .tool_helpers import write_tiny_config

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


def test_baseline_scores_drawn_as_lines(tmp_path, capsys):
    vis_data = tmp_path / 'run' / 'vis_data'
    vis_data.mkdir(parents=True)
    lines = [{'FID-AtoB': 300.0 - 10 * s, 'step': 100 * s} for s in range(1, 6)]
    (vis_data / 'scalars.json').write_text('\n'.join(json.dumps(x) for x in lines))
    identity = tmp_path / 'identity.json'
    identity.write_text(json.dumps({'FID-AtoB': 262.0, 'KID-AtoB': 0.2}))
    plain, dashed = tmp_path / 'plain.png', tmp_path / 'baseline.png'
    tool = load_tool()
    tool.main([str(tmp_path), '--keys', 'FID-AtoB', '--out', str(plain)])
    tool.main(
        [str(tmp_path), '--keys', 'FID-AtoB', '--out', str(dashed)]
        + ['--baseline', f'identity={identity}']
    )

    # The dashed line and its legend are drawn in red (tab:red) on the plot.
    def red_pixels(path):
        image = cv2.imread(str(path)).astype(int)
        b, g, r = image[..., 0], image[..., 1], image[..., 2]
        return int(((r > 180) & (g < 80) & (b < 80)).sum())

    assert red_pixels(plain) == 0 and red_pixels(dashed) > 100
    with pytest.raises(ValueError, match='LABEL=FILE'):
        tool.main([str(tmp_path), '--baseline', str(identity)])
    (tmp_path / 'bad.json').write_text('[1, 2]')
    with pytest.raises(ValueError, match='bad.json holds no scores'):
        tool.main([str(tmp_path), '--baseline', f'x={tmp_path / "bad.json"}'])


def test_validation_fid_kid_during_training_reach_the_plot(tmp_path, fake_weights):
    # A real training run with FID/KID validation every 2 iterations (a tiny
    # feature network stands in for Inception): the scalars MMEngine logs are
    # those plot_logs.py draws.
    metric = f"weights='{fake_weights}', cache_dir='{tmp_path / 'cache'}', device='cpu'"
    config = write_tiny_config(
        tmp_path / 'val.py',
        max_iters=4,
        ckpt_interval=4,
        train_cfg='dict(max_iters=4, val_interval=2)',
        val_dataloader=(
            'dict(batch_size=1, num_workers=0, persistent_workers=False, '
            "sampler=dict(type='DefaultSampler', shuffle=False), "
            "dataset=dict(type='UnpairedImageDataset', data_root=data_root, "
            "split='test', serial=True, test_mode=True, pipeline=["
            "dict(type='LoadTranslationImage', keys=['img_A', 'img_B']), "
            "dict(type='ResizeImages', keys=['img_A', 'img_B'], scale=32), "
            "dict(type='PackTranslationInputs', keys=['img_A', 'img_B'])]))"
        ),
        val_cfg="dict(type='ValLoop')",
        val_evaluator=(
            f'[dict(type="FID", {metric}), dict(type="KID", num_subsets=5, '
            f'max_subset_size=4, {metric})]'
        ),
    )
    cfg = Config.fromfile(config)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = 'val-curves'
    RUNNERS.build(cfg).train()
    series = load_scalars(find_scalar_logs(cfg.work_dir))
    keys = ['FID-AtoB', 'FID-BtoA', 'KID-AtoB', 'KID-BtoA']
    for key in keys:
        steps, values = series[key]
        assert list(steps) == [2, 4] and all(v == v for v in values)
    out = load_tool().main([cfg.work_dir, '--keys', *keys])
    assert cv2.imread(out) is not None


def test_two_runs_on_the_same_plot(tmp_path, capsys):
    def write_run(name, scale, keys):
        vis_data = tmp_path / name / '20240101_000000' / 'vis_data'
        vis_data.mkdir(parents=True)
        lines = [
            {**{key: scale * (300.0 - 10 * s) for key in keys}, 'step': 100 * s}
            for s in range(1, 6)
        ]
        (vis_data / 'scalars.json').write_text('\n'.join(json.dumps(x) for x in lines))
        return str(tmp_path / name)

    cyclegan = write_run('cyclegan', 1.0, ['FID-AtoB', 'FID-BtoA'])
    fastcut = write_run('fastcut', 0.9, ['FID-AtoB'])
    tool = load_tool()
    one, two = tmp_path / 'one.png', tmp_path / 'two.png'
    tool.main([cyclegan, '--keys', 'FID-AtoB', '--out', str(one)])
    # A key only one run logged is drawn from that run alone.
    tool.main(
        [cyclegan, fastcut, '--labels', 'CycleGAN', 'FastCUT', '--out', str(two)]
        + ['--keys', 'FID-AtoB', 'FID-BtoA']
    )
    assert 'Plotted FID-AtoB, FID-BtoA from 2 log(s)' in capsys.readouterr().out

    # The second run is drawn in orange (tab:orange), the first alone is not.
    def orange_pixels(path):
        image = cv2.imread(str(path)).astype(int)
        b, g, r = image[..., 0], image[..., 1], image[..., 2]
        return int(((r > 220) & (g > 100) & (g < 150) & (b < 40)).sum())

    assert orange_pixels(one) == 0 and orange_pixels(two) > 100
    with pytest.raises(ValueError, match='1 label.* for 2 work dir'):
        tool.main([cyclegan, fastcut, '--labels', 'CycleGAN'])
    with pytest.raises(ValueError, match=r"\['run'\] more than once"):
        tool.main([cyclegan, fastcut, '--labels', 'run', 'run'])
    with pytest.raises(KeyError, match='KID-AtoB'):
        tool.main([cyclegan, fastcut, '--keys', 'KID-AtoB'])
