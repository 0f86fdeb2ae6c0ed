"""A pytest plugin that runs only the tests that need CUDA, and reports them.

``python -m pytest tests -p analysis.gpu_check.pytest_cuda_only
--cuda-report FILE``. The suite's convention (``.ci/run`` allows only such
skips besides MMagic): a test that needs a GPU is marked
``@pytest.mark.skipif(not torch.cuda.is_available(), reason='... needs CUDA')``.
Tests are kept whose ``skipif`` reason says that CUDA or a GPU is needed
(``needs CUDA``, ``requires a GPU``, ...), or that carry a ``cuda`` marker;
``needs a machine without CUDA`` is not such a reason. ``FILE`` gets the
outcome of each kept test as JSON.
"""

import json
import re
from typing import Dict, List

import pytest

_NEEDS_CUDA = re.compile(r'\b(needs?|requires?)\s+(a\s+)?(CUDA|GPUs?)\b', re.I)


def needs_cuda(item: pytest.Item) -> bool:
    """Whether a collected test is one of the CUDA-only tests."""
    if item.get_closest_marker('cuda') is not None:
        return True
    return any(
        _NEEDS_CUDA.search(str(mark.kwargs.get('reason', '')))
        for mark in item.iter_markers('skipif')
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        '--cuda-report', help='write the CUDA-only tests and their outcomes here'
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(CudaOnlyTests(config), 'cuda-only-tests')


class CudaOnlyTests:
    """Deselects every test but the CUDA-only ones and records their outcomes.

    Args:
        config (pytest.Config): The session's config (``--cuda-report``).
    """

    def __init__(self, config: pytest.Config) -> None:
        self.report_path = config.getoption('--cuda-report')
        self.outcomes: Dict[str, dict] = {}

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: List[pytest.Item]
    ) -> None:
        kept = [item for item in items if needs_cuda(item)]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
        self.outcomes = {item.nodeid: dict(outcome='not run') for item in kept}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.outcomes.setdefault(report.nodeid, dict(outcome='not run'))
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ''
            entry.update(outcome='skipped', message=str(reason))
        elif report.failed:
            lines = str(report.longrepr).strip().splitlines()
            entry.update(
                outcome='failed' if report.when == 'call' else 'error',
                message=lines[-1] if lines else '',
            )
        elif report.when == 'call':
            entry['outcome'] = 'passed'

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.report_path:
            return
        tests = [dict(id=nodeid, **entry) for nodeid, entry in self.outcomes.items()]
        with open(self.report_path, 'w') as f:
            json.dump(dict(collected=len(tests), tests=tests), f, indent=1)
