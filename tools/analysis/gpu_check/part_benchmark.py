"""Parts ``benchmark`` and ``benchmark_compile``: images/s and peak memory.

``benchmark``: five eager variants at batch 1 and 4, one ``tools/benchmark.py``
run per batch size (the variants timed interleaved, as the benchmark does);
if such a run fails, each of its variants runs alone, so one broken variant
costs the others nothing. ``benchmark_compile``: ``torch.compile`` + bf16,
the last part of the check, since compiling may take minutes. Every variant
gets an entry, also those that do not apply here.
"""

import json
from typing import Dict, List, Optional, Sequence, Tuple

from ..benchmark_variant import BenchmarkVariant
from .context import REPO, TINY_MODEL, CheckContext
from .steps import BudgetSpent

# (spec for tools/benchmark.py --variants, what it is)
EAGER = (
    ('plain', 'plain PyTorch step, fp32'),
    ('fp32', 'ours, fp32'),
    ('bf16', 'ours, bf16 AMP'),
    ('fp16', 'ours, fp16 AMP with loss scaling'),
    ('bf16+channels_last', 'ours, channels_last + bf16 AMP'),
)
COMPILED = (('bf16+compile', 'ours, torch.compile + bf16 AMP'),)
BATCH_SIZES = (1, 4)
MEMORY_MEASURES = {
    'cuda': 'torch.cuda.max_memory_allocated during one iteration',
    'cpu': 'peak resident set (VmHWM) of a fresh process running 3 iterations',
}


def _settings(ctx: CheckContext) -> dict:
    if ctx.quick:
        config = ctx.write_config('tiny_h2z', 'configs/cyclegan_h2z.py', TINY_MODEL)
        return dict(config=config, size=32, iters=1, warmup=1, repeats=1, memory=False)
    config = REPO / 'configs' / 'cyclegan_h2z.py'
    iters, repeats = (10, 3) if ctx.cuda else (1, 2)
    return dict(config=config, size=256, iters=iters, warmup=3, repeats=repeats,
                memory=True)  # fmt: skip


def not_applicable(ctx: CheckContext, spec: str) -> Optional[str]:
    """Why a variant is not run here, None if it is."""
    variant = BenchmarkVariant.parse(spec)
    if variant.amp == 'fp16' and not ctx.cuda:
        return 'fp16 AMP needs loss scaling on a GPU: not run on the CPU'
    if variant.compile and ctx.quick and not ctx.cuda:
        return 'torch.compile is left out of --quick on the CPU (minutes to compile)'
    return None


def run_benchmark_part(ctx: CheckContext, results: dict) -> dict:
    """The eager variants (part ``benchmark``)."""
    return _benchmark(ctx, EAGER, limit_s=240)


def run_compile_part(ctx: CheckContext, results: dict) -> dict:
    """The compiled variant (part ``benchmark_compile``)."""
    return _benchmark(ctx, COMPILED, limit_s=360)


def _benchmark(
    ctx: CheckContext, variants: Sequence[Tuple[str, str]], limit_s: float
) -> dict:
    """Run ``variants`` at each batch size; collect their figures.

    Returns:
        dict: The settings and ``results``: one entry per variant and batch
        size with ``status`` ``ok``, ``failed``, ``not_applicable`` or
        ``skipped`` (no time left).
    """
    settings = _settings(ctx)
    figures: List[dict] = []
    for batch_size in BATCH_SIZES:
        entries = {
            spec: dict(spec=spec, variant=BenchmarkVariant.parse(spec).name,
                       label=label, batch_size=batch_size)
            for spec, label in variants
        }  # fmt: skip
        runnable = []
        for spec, entry in entries.items():
            reason = not_applicable(ctx, spec)
            if reason:
                entry.update(status='not_applicable', reason=reason)
            else:
                runnable.append(spec)
        if runnable:
            _run(ctx, settings, batch_size, runnable, limit_s, entries)
        crashed = [s for s in runnable if 'valid' not in entries[s]]
        if len(runnable) > 1 and crashed:
            for spec in runnable:  # alone, so that one failure is only its own
                _run(ctx, settings, batch_size, [spec], limit_s / 2, entries)
        figures += entries.values()
    failed = [r for r in figures if r['status'] == 'failed']
    part = dict(
        config=str(settings['config']),
        size=settings['size'],
        iters=settings['iters'],
        warmup=settings['warmup'],
        repeats=settings['repeats'],
        memory_measure=MEMORY_MEASURES[ctx.device] if settings['memory'] else None,
        results=figures,
    )
    if failed:
        names = ', '.join(f'{r["variant"]} (batch {r["batch_size"]})' for r in failed)
        return dict(status='failed', error=f'{names}: {failed[0]["error"]}', **part)
    return dict(status='ok', **part)


def _run(
    ctx: CheckContext,
    settings: dict,
    batch_size: int,
    specs: List[str],
    limit_s: float,
    entries: Dict[str, dict],
) -> None:
    """One ``tools/benchmark.py`` run; its figures go into ``entries``."""
    argv = ctx.python(
        str(REPO / 'tools' / 'benchmark.py'), str(settings['config']),
        '--device', ctx.device, '--size', str(settings['size']),
        '--batch-size', str(batch_size), '--iters', str(settings['iters']),
        '--warmup', str(settings['warmup']), '--repeats', str(settings['repeats']),
        '--variants', *specs,
    )  # fmt: skip
    if not settings['memory']:
        argv.append('--no-memory')
    name = f'benchmark-b{batch_size}-' + ('+'.join(specs) if len(specs) == 1 else 'all')
    try:
        step = ctx.runner.run(name, argv, limit_s)
    except BudgetSpent as spent:
        for spec in specs:
            entries[spec].update(status='skipped', reason=str(spent))
        return
    figures = {}
    for line in step.stdout.splitlines():
        if line.startswith('{'):
            figure = json.loads(line)
            figures[figure['variant']] = figure
    for spec in specs:
        entry = entries[spec]
        figure = figures.get(entry['variant'])
        entry.pop('error', None)
        if figure is None:
            entry.update(status='failed', error=step.error() or 'no result printed')
        elif not figure['valid']:
            entry.update(
                _figures(figure),
                status='failed',
                error='non-finite losses: the steps skipped their updates',
            )
        else:
            entry.update(_figures(figure), status='ok')


def _figures(figure: dict) -> dict:
    keys = ('sec_per_iter', 'images_per_sec', 'peak_mem_mb', 'speedup_vs_plain')
    return {key: figure.get(key) for key in keys + ('valid',)}
