"""Part ``cuda_tests``: the test suite's CUDA-only tests (:mod:`.pytest_cuda_only`)."""

import json
from collections import Counter
from pathlib import Path
from typing import List

from .context import REPO, CheckContext

OUTCOMES = ('passed', 'failed', 'error', 'skipped', 'not run')


def cuda_test_files(tests: Path = REPO / 'tests') -> List[str]:
    """Test files that mention CUDA: only these need collecting (seconds saved)."""
    return sorted(
        str(path.relative_to(REPO))
        for path in tests.rglob('test_*.py')
        if 'cuda' in path.read_text(encoding='utf-8', errors='replace').lower()
    )


def run_cuda_tests(ctx: CheckContext, results: dict) -> dict:
    """Run the CUDA-only tests; on the CPU they are skipped, and counted.

    Returns:
        dict: ``counts`` per outcome and ``tests`` (id, outcome, message).
        Status ``ok`` when every test passed on the GPU, ``skipped_on_cpu``
        when on the CPU every test was skipped, else ``failed``.
    """
    report = ctx.work_dir / 'cuda_tests.json'
    argv = ctx.python(
        '-m', 'pytest', *cuda_test_files(), '-q', '-m', 'not realdata',
        '-p', 'analysis.gpu_check.pytest_cuda_only', '--cuda-report', str(report),
    )  # fmt: skip
    step = ctx.runner.run('cuda_tests', argv, timeout_s=300)
    if step.timed_out or not report.is_file():
        step.check()
        raise RuntimeError(f'pytest wrote no report: {step.last_line()}')
    found = json.loads(report.read_text())
    counts = Counter(test['outcome'] for test in found['tests'])
    result = dict(
        collected=found['collected'],
        counts={outcome: counts.get(outcome, 0) for outcome in OUTCOMES},
        tests=found['tests'],
    )
    bad = [t['id'] for t in found['tests'] if t['outcome'] != _expected(ctx)]
    if found['collected'] == 0:
        return dict(status='failed', error='no CUDA-only test was collected', **result)
    if bad:
        return dict(
            status='failed',
            error=f'{len(bad)} of {found["collected"]} CUDA tests did not '
            f'{"pass" if ctx.cuda else "skip"}: {", ".join(bad[:3])}',
            **result,
        )
    if not ctx.cuda:
        return dict(
            status='skipped_on_cpu',
            reason=f'no GPU: the {found["collected"]} CUDA-only tests skip on the CPU',
            **result,
        )
    return dict(status='ok', **result)


def _expected(ctx: CheckContext) -> str:
    return 'passed' if ctx.cuda else 'skipped'
