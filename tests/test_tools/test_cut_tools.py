"""CUT end to end through the real tools: train, resume exactly, test, translate."""

import os
import subprocess
from pathlib import Path

import cv2
import pytest
import torch

from .tool_helpers import REPO, TINY_SIZE, run_tool, tiny_data_root

pytestmark = pytest.mark.slow


def _tiny_cut_config(path: Path, max_iters: int, weights: str, *extra: str) -> Path:
    data = tiny_data_root()
    lines = [
        f"_base_ = '{REPO / 'configs' / 'cut_h2z.py'}'",
        f"data_root = '{data}'",
        'model = dict(',
        '    generator=dict(base_channels=4, num_blocks=5),',
        '    discriminator=dict(base_channels=4, num_conv=2),',
        '    sampler=dict(num_channels=32), num_patches=16)',
        'train_pipeline = [',
        "    dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),",
        "    dict(type='ResizeImages', keys=['img_A', 'img_B'], scale=40),",
        "    dict(type='RandomCropImages', keys=['img_A', 'img_B'], crop_size=32),",
        "    dict(type='RandomFlipImages', keys=['img_A', 'img_B'], prob=0.5),",
        "    dict(type='PackTranslationInputs', keys=['img_A', 'img_B'])]",
        'train_dataloader = dict(num_workers=0, persistent_workers=False, '
        'pin_memory=False, dataset=dict(data_root=data_root, max_dataset_size=4, '
        'pipeline=train_pipeline))',
        'val_dataloader = dict(num_workers=0, persistent_workers=False, '
        'dataset=dict(data_root=data_root))',
        'test_dataloader = val_dataloader',
        # FID/KID of A -> B on the stand-in feature network (tests/conftest.py).
        "metric = dict(directions=('AtoB',), cache_dir=None, progress=False, "
        f"weights='{weights}')",
        "val_evaluator = [dict(metric, type='FID'), dict(metric, type='KID')]",
        'test_evaluator = val_evaluator',
        # The 4-iteration schedule whether the run stops at 2 or at 4.
        f'train_cfg = dict(max_iters={max_iters}, val_interval=4)',
        'param_scheduler = dict(begin=2, end=4)',
        "custom_hooks = [dict(type='TranslationVisualizationHook', interval=2, "
        'num_images=2)]',
        'default_hooks = dict(logger=dict(interval=1), '
        'checkpoint=dict(interval=2, max_keep_ckpts=10))',
        'randomness = dict(seed=0)',
        *extra,
    ]
    path.write_text('\n'.join(lines) + '\n')
    return path


def _weights(path):
    return torch.load(path, map_location='cpu', weights_only=True)['state_dict']


def test_train_resume_test_and_translate(tmp_path, fake_weights):
    straight = _tiny_cut_config(
        tmp_path / 'straight.py', max_iters=4, weights=fake_weights
    )
    run_tool('tools/train.py', straight, '--work-dir', tmp_path / 'straight')
    cfg = _tiny_cut_config(tmp_path / 'cut.py', max_iters=2, weights=fake_weights)
    work = tmp_path / 'work'
    run_tool('tools/train.py', cfg, '--work-dir', work)
    run_tool(
        'tools/train.py',
        cfg,
        '--work-dir',
        work,
        '--resume',
        '--cfg-options',
        'train_cfg.max_iters=4',
    )
    resumed, ref = (
        _weights(work / 'iter_4.pth'),
        _weights(tmp_path / 'straight' / 'iter_4.pth'),
    )
    assert {k.split('.')[0] + '.' + k.split('.')[1] for k in ref} == {
        'generators.A',
        'generators.F',
        'discriminators.A',
    }
    assert ref.keys() == resumed.keys()
    assert all(torch.equal(ref[k], resumed[k]) for k in ref)
    # Grids of the A -> B translations and their HTML page.
    # real A | G(A) and real B | G(B) (the authors' idt_B), on an HTML page.
    grids = sorted(p.name for p in (work / 'vis_images').glob('*.png'))
    assert grids[-2:] == ['iter_00000004_A.png', 'iter_00000004_B.png']
    assert grids[-1] in (work / 'index.html').read_text()

    proc = run_tool(
        'tools/test.py', cfg, work / 'iter_4.pth', '--work-dir', tmp_path / 'test'
    )
    assert 'FID-AtoB' in proc.stdout + proc.stderr
    assert 'KID-AtoB' in proc.stdout + proc.stderr

    out = tmp_path / 'out'
    inputs = sorted((tiny_data_root() / 'testA').glob('*.png'))[:2]
    run_tool(
        'tools/translate.py',
        cfg,
        work / 'iter_4.pth',
        *inputs,
        '--direction',
        'AtoB',
        '--out',
        out,
    )
    for src in inputs:
        img = cv2.imread(str(out / (src.stem + '.png')))
        assert img is not None and img.shape == (TINY_SIZE, TINY_SIZE, 3)
    # A generator-only file (G alone, as the authors' test loads) translates too.
    g_only = tmp_path / 'g_only.pth'
    g_state = {k: v for k, v in resumed.items() if k.startswith('generators.A.')}
    torch.save(dict(state_dict=g_state), g_only)
    run_tool(
        'tools/translate.py',
        cfg,
        g_only,
        *inputs,
        '--direction',
        'AtoB',
        '--out',
        tmp_path / 'g',
    )
    assert (tmp_path / 'g' / (inputs[0].stem + '.png')).is_file()
    refused = run_tool(
        'tools/translate.py',
        cfg,
        work / 'iter_4.pth',
        *inputs,
        '--direction',
        'BtoA',
        '--out',
        out,
        check=False,
    )
    assert refused.returncode != 0


def test_export_and_translate_the_exported_generator(tmp_path, fake_weights):
    cfg = _tiny_cut_config(tmp_path / 'cut.py', max_iters=2, weights=fake_weights)
    work = tmp_path / 'work'
    run_tool('tools/train.py', cfg, '--work-dir', work)
    files = {'exported-program': tmp_path / 'g.pt2', 'onnxruntime': tmp_path / 'g.onnx'}
    for fmt, path in (
        ('exported-program', files['exported-program']),
        ('onnx', files['onnxruntime']),
    ):
        run_tool(
            'tools/export.py', cfg, work / 'iter_2.pth', '--format', fmt, '--out', path
        )
    inputs = sorted((tiny_data_root() / 'testA').glob('*.png'))[:1]
    outs = {}
    for backend, weights in (('pytorch', work / 'iter_2.pth'), *files.items()):
        out = tmp_path / backend
        args = ['--direction', 'AtoB', '--out', out]
        if backend != 'pytorch':
            args += ['--backend', backend]
        run_tool('tools/translate.py', cfg, weights, *inputs, *args)
        outs[backend] = cv2.imread(str(out / (inputs[0].stem + '.png'))).astype(int)
    # Within 1/255, as for CycleGAN's exports.
    for backend in files:
        assert abs(outs['pytorch'] - outs[backend]).max() <= 1, backend


# Imported by both processes: saves what each rank holds at the end.
DUMP_HOOK = """
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class DumpCUTRankHook(Hook):
    def after_train(self, runner):
        state = runner.model.module.state_dict()
        torch.save(dict(state=state, wrapped=type(runner.model).__name__),
                   f'{runner.work_dir}/rank{get_rank()}_state.pth')
"""


def test_two_cpu_processes_train_identical_weights(tmp_path, fake_weights):
    (tmp_path / 'dump_cut_rank_hook.py').write_text(DUMP_HOOK)
    cfg = _tiny_cut_config(
        tmp_path / 'cut.py',
        2,
        fake_weights,
        "custom_imports = dict(imports=['cyclegan_plugin', 'dump_cut_rank_hook'])",
        "custom_hooks = [dict(type='DumpCUTRankHook')]",
        'val_cfg = None',
        'val_dataloader = None',
        'val_evaluator = None',
    )
    env = dict(
        os.environ,
        PYTHONPATH=f'{tmp_path}{os.pathsep}{REPO}',
        OMP_NUM_THREADS='1',
        PORT=str(29700 + os.getpid() % 1000),
    )
    env.pop('CUDA_VISIBLE_DEVICES', None)
    work = tmp_path / 'work'
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(cfg), '2', '--work-dir', str(work)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ranks = [torch.load(work / f'rank{r}_state.pth') for r in (0, 1)]
    assert {r['wrapped'] for r in ranks} == {'MMSeparateDistributedDataParallel'}
    # G, F (used outside the wrapped forward) and D: gradients averaged.
    ckpt = _weights(work / 'iter_2.pth')
    for key, value in ranks[0]['state'].items():
        assert torch.equal(value, ranks[1]['state'][key]), key
        assert torch.equal(value, ckpt[key]), key


def test_convert_checkpoint_from_and_to_the_authors_files(tmp_path, fake_weights):
    from mmengine.config import Config

    from cyclegan_plugin.converters.taesungp_cut import plugin_to_cut
    from cyclegan_plugin.registry import MODELS

    cfg = _tiny_cut_config(tmp_path / 'cut.py', 2, fake_weights)
    model = MODELS.build(Config.fromfile(str(cfg)).model)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_()
    theirs = {}
    for name, state in plugin_to_cut(model.state_dict(), model).items():
        theirs[name] = tmp_path / name
        torch.save(state, theirs[name])
    ours = tmp_path / 'plugin.pth'
    run_tool(
        'tools/convert_checkpoint.py',
        '--from',
        'cut',
        '--config',
        cfg,
        '--G',
        theirs['latest_net_G.pth'],
        '--F',
        theirs['latest_net_F.pth'],
        '--D',
        theirs['latest_net_D.pth'],
        '--out',
        ours,
    )
    state = _weights(ours)
    assert state.keys() == model.state_dict().keys()
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in state.items())
    back = tmp_path / 'back'
    run_tool(
        'tools/convert_checkpoint.py',
        '--to',
        'cut',
        ours,
        '--config',
        cfg,
        '--out-dir',
        back,
    )
    for name, path in theirs.items():
        a, b = (
            torch.load(path, weights_only=True),
            torch.load(back / name, weights_only=True),
        )
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), name
    refused = run_tool(
        'tools/convert_checkpoint.py',
        '--from',
        'cut',
        '--G',
        theirs['latest_net_G.pth'],
        '--out',
        tmp_path / 'x.pth',
        check=False,
    )
    assert refused.returncode != 0 and '--config' in refused.stderr
