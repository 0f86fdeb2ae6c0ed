"""The GPU check: its parts in order, each in subprocesses, one JSON report.

``run_gpu_check`` runs the parts of the mode (``check``: env, CUDA tests,
benchmark, bf16 training, checkpointing memory, DDP; ``quality``: env, a
deadline-bound training of the horse2zebra recipe, its FID/KID) one after the
other. A part that fails records ``{"status": "failed", "error": ...}`` and
the next one runs; the report is written atomically at the end, also after
Ctrl-C (the parts not run are ``skipped``).
"""

import datetime
import json
import math
import os
import shutil
import signal
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Literal, Optional

from cyclegan_plugin.apis.cli import one_line
from cyclegan_plugin.fileio import check_new_outputs, write_atomic

from .context import REPO, TOOLS, CheckContext
from .part_benchmark import run_benchmark_part, run_compile_part
from .part_checkpointing import run_checkpointing
from .part_cuda_tests import run_cuda_tests
from .part_env import run_env
from .part_quality import run_quality_scores, run_quality_train
from .part_training import run_ddp, run_train_bf16
from .schema import CHECK_PARTS, QUALITY_PARTS, SCHEMA_VERSION
from .steps import BudgetSpent, StepFailed, StepRunner

PartFunction = Callable[[CheckContext, dict], dict]
PARTS: Dict[str, PartFunction] = {
    'env': run_env,
    'cuda_tests': run_cuda_tests,
    'benchmark': run_benchmark_part,
    'train_bf16': run_train_bf16,
    'checkpointing': run_checkpointing,
    'ddp': run_ddp,
    'benchmark_compile': run_compile_part,
    'quality_train': run_quality_train,
    'quality_scores': run_quality_scores,
}
# Seconds kept free for each part still to come (about what it needs on a
# GPU), so that one slow part cannot leave the later ones no time at all.
RESERVE_S = {
    'env': 15.0,
    'cuda_tests': 30.0,
    'benchmark': 60.0,
    'train_bf16': 45.0,
    'checkpointing': 45.0,
    'ddp': 45.0,
    'benchmark_compile': 60.0,
    'quality_train': 120.0,
    'quality_scores': 300.0,
}
CHECK_BUDGET_MIN = 7.5  # the "under 8 minutes"
# Beyond the training minutes: start-up, the last checkpoint, the scores.
QUALITY_EXTRA_MIN = 15.0
DATA_FOLDERS = ('trainA', 'trainB', 'testA', 'testB')


@dataclass
class GpuCheckOptions:
    """What ``tools/gpu_check.py`` was asked to do (see its ``--help``)."""

    out: Path
    device: Literal['cuda', 'cpu'] = 'cuda'
    quick: bool = False
    overwrite: bool = False
    work_dir: Optional[Path] = None
    budget_minutes: Optional[float] = None
    quality_minutes: Optional[float] = None
    data_root: Optional[Path] = None
    quality_amp: Literal['bf16', 'fp32'] = 'bf16'
    argv: List[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        """``'quality'`` with ``--quality``, else ``'check'``."""
        return 'check' if self.quality_minutes is None else 'quality'

    def grid_paths(self) -> List[Path]:
        """The grid images ``--quality`` writes beside the report."""
        stem = self.out.with_name(self.out.stem + '_grid')
        return [Path(f'{stem}_{domain}.png') for domain in 'AB']


def check_options(options: GpuCheckOptions) -> None:
    """Refuse options that cannot work, before anything runs.

    Raises:
        ValueError: A bad number, or ``--quality`` without ``--data-root``
            outside ``--quick``.
        FileExistsError: The report (or a grid) exists and not ``overwrite``.
        NotADirectoryError: ``--data-root`` lacks a folder of the layout.
        FileExistsError: ``--work-dir`` exists and is not empty (its old runs
            would mix with the new ones).
    """
    for name in ('budget_minutes', 'quality_minutes'):
        value = getattr(options, name)
        if value is not None and not (math.isfinite(value) and value > 0):
            flag = '--' + name.replace('_', '-').replace('quality-minutes', 'quality')
            raise ValueError(
                f'{flag} must be a positive number of minutes, got {value}'
            )
    outputs = [options.out] + (
        options.grid_paths() if options.mode == 'quality' else []
    )
    check_new_outputs(outputs, overwrite=options.overwrite)
    work_dir = options.work_dir
    if work_dir is not None and work_dir.exists() and any(work_dir.iterdir()):
        raise FileExistsError(
            f'--work-dir {str(work_dir)!r} is not empty: give a new or empty folder '
            '(the logs of its earlier runs would mix with the new ones)'
        )
    if options.mode == 'quality' and options.data_root is None and not options.quick:
        raise ValueError(
            '--quality needs --data-root DIR, a data set in the CycleGAN layout '
            f'({", ".join(DATA_FOLDERS)}), e.g. ../shared/data/horse2zebra'
        )
    if options.data_root is not None:
        missing = [d for d in DATA_FOLDERS if not (options.data_root / d).is_dir()]
        if missing:
            raise NotADirectoryError(
                f'--data-root {str(options.data_root)!r} has no folder '
                f'{missing[0]!r}: expected {", ".join(DATA_FOLDERS)} in it'
            )


def run_gpu_check(options: GpuCheckOptions, log: Callable[[str], None] = print) -> dict:
    """Run the check and write its JSON report to ``options.out``.

    Args:
        options (GpuCheckOptions): The command line.
        log (Callable[[str], None]): Gets a line per part as it ends.

    Returns:
        dict: The report (docs/benchmarks.md, "GPU check").
    """
    check_options(options)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    names = CHECK_PARTS if options.mode == 'check' else QUALITY_PARTS
    budget_min = options.budget_minutes or (
        CHECK_BUDGET_MIN
        if options.mode == 'check'
        else options.quality_minutes + QUALITY_EXTRA_MIN
    )
    own_work_dir = options.work_dir is None
    work_dir = Path(tempfile.mkdtemp(prefix='gpu_check_')) if own_work_dir else (
        options.work_dir
    )  # fmt: skip
    work_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    if options.device == 'cpu' and options.quick:
        # Tiny networks on a shared CI machine: more threads per process only
        # spin against each other (the test suite does the same).
        env.setdefault('OMP_NUM_THREADS', '1')
    # The children import the checkout's plugin and ``analysis`` (tools/,
    # last: its test.py must not shadow the standard library's ``test``).
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (str(REPO), env.get('PYTHONPATH'), str(TOOLS)) if p
    )
    start, started = time.monotonic(), _now()
    runner = StepRunner(start + 60 * budget_min, work_dir / 'logs', env, REPO)
    ctx = CheckContext(
        device=options.device,
        quick=options.quick,
        work_dir=work_dir,
        out=options.out.resolve(),
        runner=runner,
        quality_minutes=options.quality_minutes,
        data_root=options.data_root,
        quality_amp=options.quality_amp,
    )
    results: Dict[str, dict] = {}

    def write(pending_reason: str) -> dict:
        done = dict(results)
        for name in names:
            done.setdefault(name, dict(status='skipped', reason=pending_reason))
        report = _report(options, names, done, started, start, 60 * budget_min)
        report['work_dir'] = None if own_work_dir else str(work_dir)
        text = json.dumps(_json_safe(report), indent=1, allow_nan=False)
        write_atomic(options.out, (text + '\n').encode())
        return report

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if main_thread else None
    try:
        write('not run yet: the check was ended before this part')  # writable?
        if options.mode == 'quality' and ctx.data_root is None:
            ctx.data_root = _synthetic_data(work_dir / 'data')
        for index, name in enumerate(names):
            runner.reserved_s = sum(RESERVE_S[n] for n in names[index + 1 :])
            results[name] = _run_part(name, ctx, results)
            log(_summary_line(name, results[name]))
            # The report may be in a temporary folder (CI): the log's tail
            # goes where the one-line summary goes.
            for line in results[name].get('log_tail', ()):
                log(f'    | {line}')
            # A machine lent for minutes may be taken back mid-check: what
            # was measured is on disk after every part.
            write('not run yet: the check was ended before this part')
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        report = write('interrupted (Ctrl-C or SIGTERM) before or during this part')
        if own_work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    return report


def _raise_interrupt(signum, frame) -> None:
    # SIGTERM (a lent machine taken back) ends the check as Ctrl-C does:
    # the running step's processes are ended and the report is written.
    raise KeyboardInterrupt(f'signal {signum}')


def _run_part(name: str, ctx: CheckContext, results: Dict[str, dict]) -> dict:
    start = time.monotonic()
    env = results.get('env')
    try:
        if env is not None and env['status'] != 'ok':
            result = dict(status='skipped', reason=f'env failed: {env["error"]}')
        else:
            result = PARTS[name](ctx, results)
    except BudgetSpent as spent:
        result = dict(status='skipped', reason=str(spent))
    except StepFailed as failed:
        result = dict(status='failed', error=str(failed), log_tail=failed.tail)
    except Exception as error:  # a bug of the part: the others still run
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        result = dict(
            status='failed',
            error=one_line(f'{type(error).__name__}: {error}'),
            log_tail=''.join(lines).splitlines()[-20:],
        )
    result['seconds'] = round(time.monotonic() - start, 1)
    return result


def _report(options, names, results, started, start, budget_s) -> dict:
    failed = [name for name in names if results[name]['status'] == 'failed']
    return dict(
        schema_version=SCHEMA_VERSION,
        tool='tools/gpu_check.py',
        argv=list(options.argv),
        mode=options.mode,
        device=options.device,
        quick=options.quick,
        started=started,
        finished=_now(),
        seconds=round(time.monotonic() - start, 1),
        budget_s=budget_s,
        status='failed' if failed else 'ok',
        failed=failed,
        parts={name: results[name] for name in names},
    )


def _summary_line(name: str, result: dict) -> str:
    why = result.get('error') or result.get('reason')
    return f'gpu_check: {name}: {result["status"]} ({result["seconds"]:.0f} s)' + (
        f': {why}' if why else ''
    )


def _synthetic_data(root: Path) -> Path:
    """A tiny generated data set for ``--quick --quality`` without data."""
    from cyclegan_plugin.datasets.synthetic_scenes import write_synthetic_dataset

    return write_synthetic_dataset(root, num_train=8, num_test=6, img_size=48, seed=3)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')


def _json_safe(value):
    """NaN and infinities as null: strict JSON (``finite`` flags say why)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value
