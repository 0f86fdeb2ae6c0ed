"""tools/dist_train.sh: two CPU processes (gloo) train one model together."""

import os
import re
import signal
import subprocess
import time

import pytest
import torch
from mmengine.config import Config
from mmengine.model import convert_sync_batchnorm

from cyclegan_plugin.registry import MODELS

from .tool_helpers import REPO, write_tiny_config

# Written next to the config and imported by both processes: it saves what each
# rank holds at the end (weights) and which images it trained on.
DUMP_HOOK = """
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class DumpRankStateHook(Hook):
    def before_train(self, runner):
        self.paths = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.paths += [s.img_A_path for s in data_batch['data_samples']]

    def after_train(self, runner):
        model = runner.model.module
        state = {k: v for k, v in model.state_dict().items()
                 if isinstance(v, torch.Tensor)}
        torch.save(dict(state=state, paths=self.paths,
                        wrapped=type(runner.model).__name__),
                   f'{runner.work_dir}/rank{get_rank()}_state.pth')
"""


def _config_with_hook(
    tmp_path, module: str, source: str, hook: str, max_iters: int, port: int
):
    """A tiny config whose processes import ``module`` (written from ``source``)
    and run its ``hook``, and the environment for ``tools/dist_train.sh`` on CPUs."""
    (tmp_path / f'{module}.py').write_text(source)
    cfg = write_tiny_config(
        tmp_path / 'tiny.py',
        max_iters=max_iters,
        ckpt_interval=max_iters,
        custom_imports=f"dict(imports=['cyclegan_plugin', '{module}'])",
        custom_hooks=f"[dict(type='{hook}')]",
    )
    env = dict(
        os.environ,
        PYTHONPATH=f'{tmp_path}{os.pathsep}{REPO}',
        OMP_NUM_THREADS='1',
        PORT=str(port + os.getpid() % 1000),
    )
    env.pop('CUDA_VISIBLE_DEVICES', None)
    return cfg, env


@pytest.mark.slow
@pytest.mark.parametrize(
    'options',
    [
        [],
        # The CPU fast path under DDP: one gradient per weight from the
        # shared Winograd transform (the scope hooks on the wrapped module).
        ['--winograd'],
    ],
    ids=['native', 'winograd'],
)
def test_two_cpu_processes_train_identical_weights(tmp_path, options):
    cfg, env = _config_with_hook(
        tmp_path,
        'dump_rank_state_hook',
        DUMP_HOOK,
        'DumpRankStateHook',
        max_iters=4,
        port=29500,
    )
    work = tmp_path / 'work'
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(cfg), '2', '--work-dir', str(work)]
        + options,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    ranks = [torch.load(work / f'rank{r}_state.pth') for r in (0, 1)]
    assert {r['wrapped'] for r in ranks} == {'MMSeparateDistributedDataParallel'}
    # Gradients were averaged across ranks: every network ends the same.
    for key, value in ranks[0]['state'].items():
        assert torch.equal(value, ranks[1]['state'][key]), key
    ckpt = torch.load(work / 'iter_4.pth', weights_only=True)['state_dict']
    for key, value in ranks[0]['state'].items():
        assert torch.equal(ckpt[key], value), key

    # The sampler shards the data: in the first epoch (4 images, 2 per rank)
    # the ranks see different images, together all of them.
    first_epoch = [set(r['paths'][:2]) for r in ranks]
    assert not first_epoch[0] & first_epoch[1]
    assert len(first_epoch[0] | first_epoch[1]) == 4

    # Rank 0 alone writes: one checkpoint, one log folder, no temporary files.
    assert sorted(p.name for p in work.glob('*.pth')) == [
        'iter_4.pth',
        'rank0_state.pth',
        'rank1_state.pth',
    ]
    assert len([p for p in work.iterdir() if p.is_dir()]) == 1
    assert not list(work.rglob('.*tmp*'))
    assert 'sync_bn=' in proc.stdout + proc.stderr  # skipped on CPU, said so


# Rank 1 stops itself (as a hung or debugger-stopped process would) after its
# second iteration; both ranks write their pid so the test can check that no
# process is left behind.
STALL_HOOK = """
import os
import signal

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class StallRankHook(Hook):
    def before_train(self, runner):
        with open(f'{runner.work_dir}/rank{get_rank()}.pid', 'w') as f:
            f.write(str(os.getpid()))

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if get_rank() == 1 and runner.iter == 1:
            os.kill(os.getpid(), signal.SIGSTOP)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_stalled_rank_ends_the_job_after_the_collective_timeout(tmp_path):
    cfg, env = _config_with_hook(
        tmp_path,
        'stall_rank_hook',
        STALL_HOOK,
        'StallRankHook',
        max_iters=6,
        port=30500,
    )
    work = tmp_path / 'work'
    command = ['bash', 'tools/dist_train.sh', str(cfg), '2', '--work-dir', str(work)]
    command += ['--cfg-options', 'env_cfg.dist_cfg.timeout=10']
    # Its own session, so a test failure can kill torchrun and all it started.
    proc = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    start = time.monotonic()
    pids = []
    try:
        # 10 s of timeout, then torchrun's 30 s grace before it SIGKILLs the
        # stopped rank, which ignores SIGTERM.
        out, _ = proc.communicate(timeout=120)
        elapsed = time.monotonic() - start
        pids = [int(p.read_text()) for p in work.glob('rank*.pid')]
        left = [pid for pid in pids if _alive(pid)]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        pids = pids or [int(p.read_text()) for p in work.glob('rank*.pid')]
        for pid in pids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert proc.returncode != 0, out[-3000:]
    assert elapsed < 120
    assert len(pids) == 2, out[-3000:]
    assert not left, f'processes {left} outlived the job'
    assert 'Timed out' in out, out[-3000:]  # gloo's own message
    # RobustRunner's line: which collective, from where, and the knob.
    assert re.search(
        r'rank 0: the collective \w+ \(called at \S+:\d+\) waited '
        r'env_cfg\.dist_cfg\.timeout=10 s .* raise the limit, e\.g\. '
        r'--cfg-options env_cfg\.dist_cfg\.timeout=20',
        out,
    ), out[-3000:]


def test_runtime_converts_batch_norm_to_sync_batch_norm():
    cfg = Config.fromfile(REPO / 'configs' / '_base_' / 'default_runtime.py')
    assert cfg.sync_bn == 'torch'
    assert cfg.model_wrapper_cfg.type == 'MMSeparateDistributedDataParallel'
    bn = dict(type='BN')
    model = MODELS.build(
        dict(
            type='CycleGAN',
            generator=dict(
                type='ResnetGenerator', base_channels=4, num_blocks=1, norm_cfg=bn
            ),
            discriminator=dict(
                type='PatchDiscriminator', base_channels=4, num_conv=2, norm_cfg=bn
            ),
        )
    )
    # What the Runner does under DDP with cfg.sync_bn (on GPUs).
    model = convert_sync_batchnorm(model, cfg.sync_bn)
    types = {type(m) for m in model.modules()}
    assert torch.nn.SyncBatchNorm in types and torch.nn.BatchNorm2d not in types


def test_instance_norm_is_left_alone_by_sync_bn():
    model = MODELS.build(
        dict(
            type='CycleGAN',
            generator=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
            discriminator=dict(type='PatchDiscriminator', base_channels=4, num_conv=1),
        )
    )
    before = [type(m) for m in model.modules()]
    after = [type(m) for m in convert_sync_batchnorm(model, 'torch').modules()]
    assert before == after
    assert torch.nn.InstanceNorm2d in after
