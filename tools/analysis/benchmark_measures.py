"""What ``tools/benchmark.py`` measures besides time: FLOPs and peak memory."""

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from torch.utils.flop_counter import FlopCounterMode

from cyclegan_plugin.ops.cpu_memory import keep_freed_cpu_memory

from .benchmark_variant import BenchmarkVariant


def count_gflop(fn: Callable[[], object]) -> float:
    """GFLOP of one call, counted by ``torch.utils.flop_counter``.

    A multiply-add counts as 2 FLOP; convolutions (forward and backward) and
    matrix products are counted, element-wise work is not.
    """
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops() / 1e9


def profile_ops(fn: Callable[[], object], rows: int = 10) -> List[dict]:
    """Where one call spends its time: the top operators by self CPU time.

    Args:
        fn (Callable): One iteration.
        rows (int): Operators to return. Defaults to 10.

    Returns:
        list[dict]: ``op``, ``self_ms`` and ``share`` (of all self time), the
        largest first.
    """
    from torch.profiler import profile

    with profile() as prof:
        fn()
    events = list(prof.key_averages())
    total = sum(e.self_cpu_time_total for e in events) or 1.0
    events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    return [
        dict(
            op=e.key,
            self_ms=round(e.self_cpu_time_total / 1e3, 1),
            share=round(e.self_cpu_time_total / total, 3),
        )
        for e in events[:rows]
    ]


def _status_mb(field: str) -> float:
    # VmHWM is this process's own peak: ru_maxrss would include the parent's
    # resident set at fork, which Linux carries across exec.
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    raise OSError(f'{field} not found in /proc/self/status')


def _child_peak_rss(args_file: str) -> None:
    """Entry of the measuring process: arguments in, memory out (pickles)."""
    from .benchmark import build_callable

    with open(args_file, 'rb') as f:
        cfg, variant, mode, size, batch_size, threads, keep = pickle.load(f)
    torch.set_num_threads(threads)
    if keep:
        keep_freed_cpu_memory()
    MMLogger.get_instance('benchmark-memory', log_level='WARNING')
    base = _status_mb('VmRSS')
    fn = build_callable(Config(cfg), variant, mode, size, batch_size, 'cpu')
    for _ in range(3):  # the first iterations allocate what later ones reuse
        fn()
    with open(args_file, 'wb') as f:
        pickle.dump(dict(peak_mem_mb=_status_mb('VmHWM'), base_mem_mb=base), f)


def peak_memory_mb(
    cfg: Config,
    variant: BenchmarkVariant,
    mode: str = 'train',
    size: int = 128,
    batch_size: int = 1,
    device: str = 'cpu',
    fn: Optional[Callable[[], object]] = None,
    keep_freed_memory: bool = False,
) -> Dict[str, float]:
    """Peak memory of a variant.

    On CUDA: the peak memory allocated during one call of ``fn``. On the CPU
    (Linux): the peak resident set of a fresh process that builds only this
    variant and runs three iterations; ``base_mem_mb`` is that process's
    resident set before building (Python, torch and the plugin loaded).
    ``keep_freed_memory`` applies :func:`keep_freed_cpu_memory` there first.

    Returns:
        dict: ``peak_mem_mb``, and ``base_mem_mb`` on the CPU.

    Raises:
        subprocess.CalledProcessError: If the measuring process fails.
    """
    if device.startswith('cuda'):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        fn()
        torch.cuda.synchronize()
        return dict(peak_mem_mb=torch.cuda.max_memory_allocated() / 2**20)
    # A fresh process: in this one, freed memory keeps the resident set high.
    with tempfile.TemporaryDirectory() as tmp:
        args_file = os.path.join(tmp, 'args.pkl')
        threads = torch.get_num_threads()
        with open(args_file, 'wb') as f:
            pickle.dump(
                (cfg.to_dict(), variant, mode, size, batch_size, threads,
                 keep_freed_memory),
                f,
            )  # fmt: skip
        # The pickle names the variant's class by its module,
        # ``analysis.benchmark_variant``: the child needs the same tools/ path.
        tools = str(Path(__file__).resolve().parents[1])
        code = (
            f'import sys; sys.path.insert(0, {tools!r}); '
            'from analysis.benchmark_measures import _child_peak_rss; '
            f'_child_peak_rss({args_file!r})'
        )
        subprocess.run([sys.executable, '-c', code], check=True)
        with open(args_file, 'rb') as f:
            return pickle.load(f)
