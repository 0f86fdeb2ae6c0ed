"""Part ``env``: the machine and the software stack the figures come from."""

import json
import os
import platform
import subprocess
from typing import List, Optional

from .context import REPO, CheckContext

_NVIDIA_SMI = [
    'nvidia-smi',
    '--query-gpu=index,name,driver_version,memory.total',
    '--format=csv,noheader',
]


def _run(argv: List[str], timeout: float = 20) -> Optional[str]:
    """A command's stdout, None if it is missing, fails or hangs."""
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, cwd=REPO
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def _cpu_model() -> Optional[str]:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def collect_environment() -> dict:
    """The environment, as the child process of the ``env`` step sees it.

    Returns:
        dict: The ``env`` part's fields (docs/benchmarks.md, GPU check).
    """
    import mmcv
    import mmengine
    import torch

    import cyclegan_plugin

    cuda = torch.cuda.is_available()
    gpus = []
    for index in range(torch.cuda.device_count() if cuda else 0):
        props = torch.cuda.get_device_properties(index)
        gpus.append(
            dict(
                index=index,
                name=props.name,
                capability=f'{props.major}.{props.minor}',
                memory_gib=round(props.total_memory / 2**30, 1),
            )
        )
    smi = _run(_NVIDIA_SMI)
    drivers = {line.split(',')[2].strip() for line in (smi or '').splitlines()}
    commit = _run(['git', 'rev-parse', 'HEAD'])
    status = _run(['git', 'status', '--porcelain', '--untracked-files=no'])
    return dict(
        python=platform.python_version(),
        platform=platform.platform(),
        cpu=_cpu_model(),
        cpu_count=os.cpu_count(),
        torch=torch.__version__,
        torch_cuda=torch.version.cuda,
        cudnn=torch.backends.cudnn.version() if cuda else None,
        cuda_available=cuda,
        gpu_count=len(gpus),
        gpus=gpus,
        driver=', '.join(sorted(drivers)) if smi else None,
        nvidia_smi=smi,
        mmengine=mmengine.__version__,
        mmcv=mmcv.__version__,
        cyclegan_plugin=cyclegan_plugin.__version__,
        git_commit=commit,
        git_dirty=bool(status) if status is not None else None,
    )


def run_env(ctx: CheckContext, results: dict) -> dict:
    """The ``env`` part: :func:`collect_environment` in a child process.

    With ``--device cuda`` and no CUDA device visible to torch the part
    fails (the environment is still recorded), which skips every other part.
    """
    out = ctx.work_dir / 'env.json'
    ctx.runner.run('env', ctx.child('env', out), timeout_s=120).check()
    info = json.loads(out.read_text())
    if ctx.cuda and not info['cuda_available']:
        return dict(
            status='failed',
            error=f'--device cuda, but torch {info["torch"]} sees no CUDA device '
            f'(torch.version.cuda={info["torch_cuda"]}, nvidia-smi: '
            f'{info["nvidia_smi"] or "absent or failed"}); use --device cpu '
            'for the dry run',
            **info,
        )
    return dict(status='ok', **info)
