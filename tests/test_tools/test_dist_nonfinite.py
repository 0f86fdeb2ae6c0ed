"""Under DDP a NaN gradient on one rank skips the update on every rank."""

import os
import subprocess

import pytest
import torch

from .test_dist_train import DUMP_HOOK
from .tool_helpers import REPO, write_tiny_config

# Rank 1's generator gets a NaN gradient (of a finite loss) in iteration 2.
NAN_GRAD_HOOK = """
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class NanGradOnRank1Hook(Hook):
    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if get_rank() == 1 and batch_idx == 1:
            weight = next(runner.model.module.generators.parameters())
            self.handle = weight.register_hook(lambda g: g * float('nan'))

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if getattr(self, 'handle', None) is not None:
            self.handle.remove()
            self.handle = None
"""


@pytest.mark.slow
def test_a_nan_gradient_on_one_rank_is_skipped_by_all(tmp_path):
    (tmp_path / 'dump_rank_state_hook.py').write_text(DUMP_HOOK)
    (tmp_path / 'nan_grad_on_rank1_hook.py').write_text(NAN_GRAD_HOOK)
    cfg = write_tiny_config(
        tmp_path / 'tiny.py',
        max_iters=3,
        ckpt_interval=3,
        custom_imports="dict(imports=['cyclegan_plugin', 'dump_rank_state_hook', "
        "'nan_grad_on_rank1_hook'])",
        custom_hooks="[dict(type='NanGradOnRank1Hook'), "
        "dict(type='DumpRankStateHook')]",
    )
    work = tmp_path / 'work'
    env = dict(
        os.environ,
        PYTHONPATH=f'{tmp_path}{os.pathsep}{REPO}',
        OMP_NUM_THREADS='1',
        PORT=str(29500 + (os.getpid() + 500) % 1000),
    )
    env.pop('CUDA_VISIBLE_DEVICES', None)
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(cfg), '2', '--work-dir', str(work)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert 'non-finite gradients' in log
    ranks = [torch.load(work / f'rank{r}_state.pth') for r in (0, 1)]
    for key, value in ranks[0]['state'].items():
        assert torch.equal(value, ranks[1]['state'][key]), key
        if value.is_floating_point():
            assert torch.isfinite(value).all(), key
