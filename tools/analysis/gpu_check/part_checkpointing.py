"""Part ``checkpointing``: the memory activation checkpointing saves in training.

One training step of ours (fp32, batch 1) at 512x512 without and with
``with_cp``, each setting in a fresh process, measured as the benchmark
measures (:func:`~analysis.benchmark_measures.peak_memory_mb`): on CUDA the
peak allocated during one step after warm-up, on the CPU the peak resident
set of a fresh process running three steps.
"""

import copy
import gc
import json
import time
from typing import Optional

from .context import REPO, CheckContext
from .steps import StepFailed

# with_cp of the generators and of the discriminators.
SETTINGS = {
    'none': (False, False),
    'blocks': (True, True),  # residual blocks; each discriminator conv layer
    'all': ('all', True),  # every generator stage
}
CONFIG = 'configs/cyclegan_h2z.py'


def measure_setting(
    setting: str, size: int, device: str, base_channels: Optional[int] = None
) -> dict:
    """Peak memory (and on CUDA the time) of one step with one ``with_cp``.

    Runs in the child process of one step.

    Args:
        setting (str): A key of :data:`SETTINGS`.
        size (int): Image size.
        device (str): ``'cuda'`` or ``'cpu'``.
        base_channels (int, optional): Narrower networks (``--quick``).

    Returns:
        dict: ``peak_mem_mb``, ``base_mem_mb`` (CPU: the process before
        building) and ``sec_per_iter`` (CUDA: median of five steps).
    """
    import torch
    from mmengine.logging import MMLogger

    from cyclegan_plugin.apis import load_config

    from ..benchmark import build_callable
    from ..benchmark_measures import peak_memory_mb
    from ..benchmark_variant import BenchmarkVariant

    MMLogger.get_instance('gpu-check', log_level='WARNING')
    cfg = copy.deepcopy(load_config(str(REPO / CONFIG)))
    cfg.model.generator.with_cp, cfg.model.discriminator.with_cp = SETTINGS[setting]
    if base_channels:
        cfg.model.generator.base_channels = base_channels
        cfg.model.discriminator.base_channels = base_channels
    variant = BenchmarkVariant()  # ours, fp32
    if device != 'cuda':
        memory = peak_memory_mb(cfg, variant, 'train', size, 1, 'cpu')
        return dict(memory, sec_per_iter=None)
    torch.backends.cudnn.benchmark = True
    fn = build_callable(cfg, variant, 'train', size, 1, 'cuda')
    for _ in range(2):  # cuDNN's algorithm search, Adam's state
        fn()
    memory = peak_memory_mb(cfg, variant, 'train', size, 1, 'cuda', fn)
    times = []
    for _ in range(5):
        torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    del fn
    gc.collect()
    return dict(memory, base_mem_mb=None, sec_per_iter=round(sorted(times)[2], 4))


def run_checkpointing(ctx: CheckContext, results: dict) -> dict:
    """Measure every setting and the saving against ``'none'``.

    512x512 and the paper's networks; ``--quick``: 64x64, width 16, the
    settings ``none`` and ``blocks``. A setting that fails (e.g. out of
    memory) is named in ``errors``; the others keep their figures.
    """
    size = 64 if ctx.quick else 512
    base_channels = 16 if ctx.quick else None
    settings = ('none', 'blocks') if ctx.quick else tuple(SETTINGS)
    measured, errors = {}, {}
    for setting in settings:
        out = ctx.work_dir / f'checkpointing_{setting}.json'
        kwargs = dict(setting=setting, size=size, device=ctx.device,
                      base_channels=base_channels)  # fmt: skip
        argv = ctx.child('checkpointing', out, **kwargs)
        try:
            ctx.runner.run(f'checkpointing-{setting}', argv, timeout_s=180).check()
        except StepFailed as failed:
            errors[setting] = str(failed)
            continue
        measured[setting] = json.loads(out.read_text())
    peak = {name: round(m['peak_mem_mb'], 1) for name, m in measured.items()}
    saving = {
        name: round(peak['none'] - mb, 1)
        for name, mb in peak.items()
        if name != 'none' and 'none' in peak
    }
    part = dict(
        config=CONFIG,
        size=size,
        batch_size=1,
        base_channels=base_channels or 64,
        variant='ours+fp32',
        measure='torch.cuda.max_memory_allocated during one step'
        if ctx.cuda
        else 'peak resident set (VmHWM) of a fresh process running 3 steps',
        with_cp={name: _describe(name) for name in settings},
        peak_mem_mb=peak,
        base_mem_mb=None
        if ctx.cuda
        else {n: m['base_mem_mb'] for n, m in measured.items()},
        saving_mb=saving,
        saving_fraction={n: round(mb / peak['none'], 3) for n, mb in saving.items()},
        sec_per_iter={n: m['sec_per_iter'] for n, m in measured.items()}
        if ctx.cuda
        else None,
        errors=errors,
    )
    if errors:
        first = next(iter(errors))
        return dict(status='failed', error=f'{first}: {errors[first]}', **part)
    return dict(status='ok', **part)


def _describe(setting: str) -> str:
    generator, discriminator = SETTINGS[setting]
    return f'generator with_cp={generator!r}, discriminator with_cp={discriminator!r}'
