"""Read MMEngine's JSON scalar logs and draw loss/metric curves."""

import glob
import json
import math
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

# Logged alongside every line but not worth a curve by default.
BOOKKEEPING_KEYS = ('step', 'iter', 'epoch', 'time', 'data_time', 'memory')

Series = Dict[str, Tuple[np.ndarray, np.ndarray]]
# Runs and baselines never share a colour, so a legend entry is unambiguous.
RUN_COLORS = ('tab:blue', 'tab:orange', 'tab:brown', 'tab:olive', 'tab:cyan')
BASELINE_COLORS = ('tab:red', 'tab:gray', 'tab:green', 'tab:purple')


def find_scalar_logs(work_dir: str) -> List[str]:
    """Scalar logs of a work dir, oldest run first.

    Looks for ``<work_dir>/<timestamp>/vis_data/scalars.json`` (one per run;
    a resumed run adds a timestamp), else the ``<timestamp>.json`` files that
    LoggerHook writes beside it. ``work_dir`` may also be one run's folder,
    its ``vis_data`` folder, or a JSON-lines file.

    Args:
        work_dir (str): The runner's work directory (or see above).

    Returns:
        list[str]: Paths of JSON-lines files.

    Raises:
        FileNotFoundError: If no log is found; the message names ``work_dir``.
    """
    if osp.isfile(work_dir):
        return [work_dir]
    for pattern in ('*/vis_data/scalars.json', 'vis_data/scalars.json', 'scalars.json'):
        found = sorted(glob.glob(osp.join(glob.escape(work_dir), pattern)))
        if found:
            return found
    found = sorted(
        glob.glob(osp.join(glob.escape(work_dir), '*', 'vis_data', '*.json'))
    )
    if found:
        return found
    raise FileNotFoundError(
        f'no MMEngine scalar log under {work_dir!r}: expected '
        '<work_dir>/<timestamp>/vis_data/scalars.json (written by LocalVisBackend) '
        'or <timestamp>.json files there'
    )


def load_scalars(paths: Sequence[str]) -> Series:
    """Numeric values per key, by step, from JSON-lines scalar logs.

    Files are read in order; a later file's value for the same key and step
    replaces an earlier one (a resumed run repeats the steps after its
    checkpoint).

    Args:
        paths (Sequence[str]): JSON-lines files, oldest first.

    Returns:
        dict[str, tuple[np.ndarray, np.ndarray]]: Steps and values per key,
        sorted by step.

    Raises:
        ValueError: If a line is not a JSON object with a ``step``.
    """
    values: Dict[str, Dict[int, float]] = {}
    for path in paths:
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                record = json.loads(line)
                if not isinstance(record, dict) or 'step' not in record:
                    raise ValueError(
                        f'{path}:{number} is not a scalar record with a step'
                    )
                for key, value in record.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        values.setdefault(key, {})[int(record['step'])] = float(value)
    return {
        key: (np.array(sorted(steps)), np.array([steps[s] for s in sorted(steps)]))
        for key, steps in values.items()
    }


def load_baseline(path: str) -> Dict[str, float]:
    """Scores of a baseline from a JSON object of named numbers.

    The files ``tools/baseline_scores.py --json`` and ``tools/test.py --out``
    (``results.json``) write, e.g. ``{"FID-AtoB": 202.9, ...}``; entries that
    are not numbers are ignored.

    Args:
        path (str): The JSON file.

    Returns:
        dict[str, float]: Score per key.

    Raises:
        ValueError: If the file does not hold a JSON object with a number.
    """
    with open(path, encoding='utf-8') as f:
        try:
            record = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f'{path} is not a JSON file of scores: {error}') from None
    scores = (
        {
            key: float(value)
            for key, value in record.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
        }
        if isinstance(record, dict)
        else {}
    )
    if not scores:
        raise ValueError(
            f'{path} holds no scores: expected a JSON object such as '
            '{"FID-AtoB": 202.9} (tools/baseline_scores.py --json writes one)'
        )
    return scores


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` values (shorter at the start).

    Args:
        values (np.ndarray): A 1-D series.
        window (int): Window length, >= 1.

    Returns:
        np.ndarray: The smoothed series, same length.
    """
    cumulative = np.cumsum(np.insert(values.astype(np.float64), 0, 0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (cumulative[ends] - cumulative[starts]) / (ends - starts)


def plot_curves(
    runs: Mapping[str, Series],
    out: str,
    keys: Optional[Sequence[str]] = None,
    smooth: int = 1,
    title: str = '',
    baselines: Optional[Mapping[str, Mapping[str, float]]] = None,
) -> List[str]:
    """One subplot per key: each run's raw values (faint) and moving average.

    Several runs share each subplot in their own colours with a legend, so
    that e.g. two models' FID curves can be compared. A run without a key is
    left out of that key's subplot. A baseline's score of a key (e.g. the
    identity translator's ``FID-AtoB``) is drawn on that key's subplot as a
    dashed horizontal line.

    Uses matplotlib's object API (no pyplot, no global backend change);
    matplotlib comes with MMEngine.

    Args:
        runs (Mapping[str, Series]): Scalars per run label, each from
            :func:`load_scalars`, e.g. ``{'run': load_scalars(logs)}``.
        out (str): Image file to write (format from its extension).
        keys (Sequence[str], optional): Keys to draw. Defaults to None: every
            key of any run except :data:`BOOKKEEPING_KEYS`.
        smooth (int): Moving-average window. Defaults to 1 (none).
        title (str): Figure title. Defaults to ''.
        baselines (Mapping[str, Mapping[str, float]], optional): Scores per
            baseline label, e.g. ``{'identity': {'FID-AtoB': 202.9}}`` (see
            :func:`load_baseline`). Defaults to None.

    Returns:
        list[str]: The keys drawn.

    Raises:
        KeyError: If a requested key is in no run's logs (lists those that are).
        ValueError: If there is nothing to draw, no run, or ``smooth < 1``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if smooth < 1:
        raise ValueError(f'smooth must be >= 1, but got {smooth}')
    if not runs:
        raise ValueError('nothing to plot: no run given')
    available = list(dict.fromkeys(key for series in runs.values() for key in series))
    if keys is None:
        keys = [k for k in available if k not in BOOKKEEPING_KEYS]
    missing = [k for k in keys if k not in available]
    if missing:
        raise KeyError(
            f'keys {missing} are not in the logs; available: {sorted(available)}'
        )
    if not keys:
        raise ValueError(f'nothing to plot: the logs hold only {sorted(available)}')
    cols = min(3, len(keys))
    rows = math.ceil(len(keys) / cols)
    figure = Figure(figsize=(5 * cols, 3.2 * rows), layout='constrained')
    FigureCanvasAgg(figure)
    for index, key in enumerate(keys):
        axes = figure.add_subplot(rows, cols, index + 1)
        for number, (run, series) in enumerate(runs.items()):
            if key not in series:
                continue
            color = RUN_COLORS[number % len(RUN_COLORS)]
            steps, values = series[key]
            if smooth > 1:
                axes.plot(steps, values, color=color, alpha=0.25, linewidth=0.8)
            # Metrics are logged once per validation: show their few points.
            marker = 'o' if len(steps) < 50 else None
            axes.plot(
                steps,
                moving_average(values, smooth),
                color=color,
                marker=marker,
                label=run,
            )
        lines = [
            (label, scores[key])
            for label, scores in (baselines or {}).items()
            if key in scores
        ]
        for number, (label, value) in enumerate(lines):
            axes.axhline(
                value,
                color=BASELINE_COLORS[number % len(BASELINE_COLORS)],
                linestyle='--',
                label=f'{label} ({value:.4g})',
            )
        if lines or len(runs) > 1:
            axes.legend(fontsize='small')
        axes.set_title(key)
        axes.set_xlabel('step')
        axes.grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    figure.savefig(out, dpi=100)
    return list(keys)
