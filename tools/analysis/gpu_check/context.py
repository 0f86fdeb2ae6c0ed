"""What every part of the GPU check needs: the options, paths and the step runner."""

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Literal, Optional

from .steps import StepRunner

Device = Literal['cpu', 'cuda']
TOOLS = Path(__file__).resolve().parents[2]
REPO = TOOLS.parent
# The tiny networks of --quick: seconds per step on two CPU cores.
TINY_MODEL = (
    'model = dict(\n'
    '    generator=dict(base_channels=8, num_blocks=1),\n'
    '    discriminator=dict(base_channels=8, num_conv=2))\n'
)


@dataclass
class CheckContext:
    """The run's settings and shared services.

    Args:
        device (str): ``'cuda'`` or ``'cpu'``.
        quick (bool): Tiny sizes and iteration counts (the CPU dry run).
        work_dir (Path): Scratch space: configs, work dirs, step logs.
        out (Path): The JSON report; grids are written beside it.
        runner (StepRunner): Runs the steps within the time budget.
        quality_minutes (float, optional): Training minutes of ``--quality``.
        data_root (Path, optional): The data set of ``--quality``.
        quality_amp (str): ``'bf16'`` or ``'fp32'`` for ``--quality``.
    """

    device: Device
    quick: bool
    work_dir: Path
    out: Path
    runner: StepRunner
    quality_minutes: Optional[float] = None
    data_root: Optional[Path] = None
    quality_amp: Literal['bf16', 'fp32'] = 'bf16'

    @property
    def cuda(self) -> bool:
        """Whether the check runs on the GPU."""
        return self.device == 'cuda'

    def python(self, *args: str) -> List[str]:
        """A command running this interpreter."""
        return [sys.executable, *args]

    def child(self, function: str, out_file: Path, **kwargs) -> List[str]:
        """A command running ``function`` of :mod:`.child` with ``kwargs``."""
        return self.python(
            '-m', 'analysis.gpu_check.child', function, json.dumps(kwargs),
            str(out_file),
        )  # fmt: skip

    def write_config(self, name: str, base: str, body: str = '') -> Path:
        """A config file in the work dir: ``base`` (a repo config) + ``body``.

        Args:
            name (str): File name without ``.py``.
            base (str): Path of the inherited config, relative to the repo.
            body (str): Config lines overriding the base's.

        Returns:
            Path: The file.
        """
        path = self.work_dir / 'configs' / f'{name}.py'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'_base_ = {str(REPO / base)!r}\n{body}')
        return path
