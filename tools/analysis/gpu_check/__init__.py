"""The GPU check of ``tools/gpu_check.py``: what a lent GPU should measure.

:func:`run_gpu_check` runs the parts (:mod:`.check`), each as subprocesses
within its share of the time (:mod:`.steps`), and writes one JSON report whose
layout :mod:`.schema` defines and checks.
"""

from .check import GpuCheckOptions, run_gpu_check
from .schema import markdown_tables, validate_report

__all__ = ['GpuCheckOptions', 'markdown_tables', 'run_gpu_check', 'validate_report']
