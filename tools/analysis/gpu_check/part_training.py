"""Parts ``train_bf16`` and ``ddp``: real training runs through the repo's tools."""

import json
import math
import os
import socket
import statistics
from pathlib import Path

from cyclegan_plugin.visualization.scalar_logs import find_scalar_logs, load_scalars

from .context import REPO, TINY_MODEL, CheckContext

_NOT_METRICS = ('step', 'iter', 'epoch', 'time', 'data_time', 'memory')
_NO_VALIDATION = ['val_cfg=None', 'val_dataloader=None', 'val_evaluator=None']


def training_summary(work_dir: Path) -> dict:
    """Iterations, last losses and their finiteness from a run's scalar logs.

    Args:
        work_dir (Path): The runner's work dir.

    Returns:
        dict: ``iterations`` (the last logged), ``finite``, ``first_nonfinite``
        (``'loss_G at iteration 120'`` or None), ``losses`` (last logged
        values), ``nonfinite_skipped`` (updates the guard skipped),
        ``sec_per_iter`` (median logged time) and ``metrics`` (the last
        validation scores, if any).

    Raises:
        RuntimeError: If the logs hold no loss.
    """
    series = load_scalars(find_scalar_logs(str(work_dir)))
    losses = sorted(key for key in series if key.startswith('loss'))
    if not losses:
        raise RuntimeError(f'no loss in the scalar logs of {work_dir}')
    first_bad = None
    for key in losses:
        for step, value in zip(*series[key]):
            if not math.isfinite(value) and (first_bad is None or step < first_bad[1]):
                first_bad = (key, int(step))
    times = series.get('time', ([], []))[1]
    skipped = series.get('nonfinite_skipped', ([], [0]))[1]
    metrics = {
        key: float(values[-1])
        for key, (_, values) in series.items()
        if key not in _NOT_METRICS and not key.startswith('loss')
        and not key.endswith('lr') and key != 'nonfinite_skipped'
    }  # fmt: skip
    return dict(
        iterations=int(max(series[key][0][-1] for key in losses)),
        finite=first_bad is None,
        first_nonfinite=None
        if first_bad is None
        else '{} at iteration {}'.format(*first_bad),
        losses={key: float(series[key][1][-1]) for key in losses},
        nonfinite_skipped=int(max(skipped)),
        sec_per_iter=round(statistics.median(times), 4) if len(times) else None,
        metrics=metrics,
    )


def _verdict(summary: dict, expected_iters: int, **fields) -> dict:
    if not summary['finite']:
        error = f'non-finite loss: {summary["first_nonfinite"]}'
    elif summary['iterations'] != expected_iters:
        error = f'logged {summary["iterations"]} of {expected_iters} iterations'
    else:
        return dict(status='ok', **summary, **fields)
    return dict(status='failed', error=error, **summary, **fields)


def run_train_bf16(ctx: CheckContext, results: dict) -> dict:
    """Train the demo config in bf16 (``configs/cyclegan_demo_bf16.py``).

    300 iterations with the validation at the end (PSNR/SSIM/L1 of both
    directions); ``--quick``: 10 iterations without validation.
    """
    max_iters = 10 if ctx.quick else 300
    work = ctx.work_dir / 'train_bf16'
    options = [
        f'train_cfg.max_iters={max_iters}',
        f'default_hooks.logger.interval={1 if ctx.quick else 10}',
        f'default_hooks.checkpoint.interval={max_iters}',
    ] + (_NO_VALIDATION if ctx.quick else [])
    config = 'configs/cyclegan_demo_bf16.py'
    argv = ctx.python(
        str(REPO / 'tools' / 'train.py'), str(REPO / config), '--work-dir', str(work),
        '--cfg-options', *options,
    )  # fmt: skip
    ctx.runner.run('train_bf16', argv, timeout_s=300).check()
    checkpoint = work / f'iter_{max_iters}.pth'
    return _verdict(
        training_summary(work),
        max_iters,
        config=config,
        amp='bf16',
        max_iters=max_iters,
        checkpoint=str(checkpoint) if checkpoint.is_file() else None,
    )


def free_port(first: int = 29500, count: int = 500) -> int:
    """A TCP port no process listens on now (for torchrun's rendezvous).

    Taken below the kernel's ephemeral range (32768 and up on Linux), where
    ``bind(0)`` would find one: an ephemeral port is free only until some
    outgoing connection draws it, in the seconds before torchrun binds it.

    Args:
        first (int): The lowest port tried. Defaults to 29500, torchrun's.
        count (int): How many ports are tried, from one chosen by the
            process id so that concurrent checks start apart.

    Raises:
        RuntimeError: If every port tried is taken.
    """
    offset = os.getpid() % count
    for i in range(count):
        port = first + (offset + i) % count
        with socket.socket() as sock:
            try:
                sock.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise RuntimeError(f'ports {first}-{first + count - 1} are all taken; free one')


def run_ddp(ctx: CheckContext, results: dict) -> dict:
    """Train the demo config with ``tools/dist_train.sh`` on every GPU.

    One process per GPU with NCCL; on the CPU two processes with gloo (what
    ``RobustRunner`` picks without CUDA). :class:`DistProbeHook` reports each
    rank's backend, device and final weights, which must agree.

    Args:
        ctx (CheckContext): The check.
        results (dict): The earlier parts' results (``env``: the GPUs).
    """
    world = results['env']['gpu_count'] if ctx.cuda else 2
    max_iters = 4 if ctx.quick else 100
    body = (TINY_MODEL if ctx.quick else '') + (
        "custom_imports = dict(imports=['cyclegan_plugin', "
        "'analysis.gpu_check.dist_probe_hook'], allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='DistProbeHook')]\n"
        f'train_cfg = dict(max_iters={max_iters}, val_interval={max_iters})\n'
        'val_cfg = None\nval_dataloader = None\nval_evaluator = None\n'
        f'default_hooks = dict(logger=dict(interval={1 if ctx.quick else 10}), '
        f'checkpoint=dict(interval={max_iters}))\n'
        # A hung rank ends the job in two minutes, not ten.
        'env_cfg = dict(dist_cfg=dict(timeout=120))\n'
    )
    config = ctx.write_config('ddp_demo', 'configs/cyclegan_demo.py', body)
    work = ctx.work_dir / 'ddp'
    argv = ['bash', str(REPO / 'tools' / 'dist_train.sh'), str(config), str(world),
            '--work-dir', str(work)]  # fmt: skip
    env = dict(PORT=str(free_port()))
    if not ctx.cuda:
        env['OMP_NUM_THREADS'] = '1'  # two processes on the CPU's cores
    ctx.runner.run('ddp', argv, timeout_s=300, env=env).check()
    ranks = [json.loads(path.read_text()) for path in work.glob('dist_rank*.json')]
    ranks.sort(key=lambda rank: rank['rank'])
    expected = 'nccl' if ctx.cuda else 'gloo'
    fields = dict(
        config='configs/cyclegan_demo.py',
        world_size=world,
        expected_backend=expected,
        backend=ranks[0]['backend'] if ranks else None,
        weights_identical=len({r['weights_sha256'] for r in ranks}) == 1,
        ranks=ranks,
        max_iters=max_iters,
    )
    summary = training_summary(work)
    problems = []
    if len(ranks) != world:
        problems.append(f'{len(ranks)} of {world} ranks reported')
    if {r['backend'] for r in ranks} != {expected}:
        problems.append(f'backends {sorted({r["backend"] for r in ranks})}')
    if not fields['weights_identical']:
        problems.append('the ranks ended with different weights')
    verdict = _verdict(summary, max_iters, **fields)
    if problems:
        problems = ([verdict['error']] if 'error' in verdict else []) + problems
        verdict.update(status='failed', error='; '.join(problems))
    return verdict
