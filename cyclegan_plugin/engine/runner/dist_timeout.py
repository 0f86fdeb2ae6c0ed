"""How long a collective waits for the other processes, and what a timeout says.

The limit is ``env_cfg.dist_cfg.timeout`` (seconds), applied by
:class:`~cyclegan_plugin.engine.runner.RobustRunner` to gloo (CPU) and NCCL
process groups alike.
"""

import math
import os
import os.path as osp
import re
import traceback
import warnings
from typing import Optional, Union

import torch.distributed as torch_dist

# Used when a config has no env_cfg.dist_cfg.timeout (one that does not inherit
# configs/_base_/default_runtime.py); the reason for the value is given there.
DEFAULT_DIST_TIMEOUT = 600

_KEY = 'env_cfg.dist_cfg.timeout'
_TORCH_DIR = osp.dirname(osp.dirname(osp.abspath(torch_dist.__file__))) + os.sep
_C10D = osp.join('torch', 'distributed', 'distributed_c10d.py')
_MMENGINE_DIST = osp.join('mmengine', 'dist')
_AUTOGRAD = osp.join('torch', 'autograd')


def dist_timeout(env_cfg: Optional[dict]) -> Union[int, float]:
    """Return ``env_cfg.dist_cfg.timeout``, checked, in seconds.

    Args:
        env_cfg (dict, optional): The config's ``env_cfg``.

    Returns:
        int | float: The timeout in seconds, :data:`DEFAULT_DIST_TIMEOUT`
        when the key is absent.

    Raises:
        ValueError: The value is not a finite, positive number.
    """
    dist_cfg = (env_cfg or {}).get('dist_cfg') or {}
    timeout = dist_cfg.get('timeout', DEFAULT_DIST_TIMEOUT)
    # bool is an int subclass, but timeout=True is a mistake, not 1 second.
    number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
    if not number or not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(
            f'{_KEY}={timeout!r} is not a positive number of seconds: set it to '
            f'how long a collective may wait for the slowest process, e.g. '
            f'{_KEY}={DEFAULT_DIST_TIMEOUT}.'
        )
    return timeout


def warn_if_nccl_timeouts_ignored() -> None:
    """Warn when the environment stops NCCL timeouts from ending the process.

    A timed-out NCCL collective is only detected by torch's watchdog thread;
    with ``TORCH_NCCL_ASYNC_ERROR_HANDLING=0`` it does nothing about it, so a
    hung rank would stall the others for ever. torch's own default (1 up to
    2.1, 3 since) ends the process, and torchrun then stops the job.
    """
    # torch reads the new name first, then the deprecated one.
    for name in ('TORCH_NCCL_ASYNC_ERROR_HANDLING', 'NCCL_ASYNC_ERROR_HANDLING'):
        value = os.environ.get(name)
        if value is None:
            continue
        if value.strip() == '0':
            warnings.warn(
                f'{name}=0: a NCCL collective that times out after {_KEY} '
                f'seconds will not end the process, so a hung rank stalls the '
                f'job; unset {name} to use torch default, which ends it.',
                stacklevel=3,
            )
        return


def _is_torch_distributed(filename: str) -> bool:
    return filename.startswith(_TORCH_DIR) or _MMENGINE_DIST in filename


def explain_collective_timeout(
    error: BaseException, timeout: Union[int, float], rank: int
) -> Optional[str]:
    """Describe a collective's timeout in one line, or None for other errors.

    Args:
        error (BaseException): The exception a run ended with.
        timeout (int | float): The ``env_cfg.dist_cfg.timeout`` in force.
        rank (int): This process's rank, for the message.

    Returns:
        str | None: Which collective waited, from where, and how to raise the
        limit; None when ``error`` is not a collective's timeout.
    """
    if not isinstance(error, RuntimeError):
        return None
    message = str(error)
    if not re.search(r'timed out|timeout', message, re.IGNORECASE):
        return None
    frames = traceback.extract_tb(error.__traceback__)
    c10d = [i for i, f in enumerate(frames) if f.filename.endswith(_C10D)]
    dist_error = getattr(torch_dist, 'DistError', ())
    # Other RuntimeErrors mention timeouts too (a DataLoader's, for one).
    if not (c10d or 'gloo' in message.lower() or isinstance(error, dist_error)):
        return None
    if c10d:
        what = f'the collective {frames[c10d[0]].name}'
    elif any(_AUTOGRAD in f.filename for f in frames):
        what = "DDP's gradient all-reduce"
    else:
        what = 'a collective'
    # The nearest frame of ours (or the user's) says which step was waiting.
    callers = frames[: c10d[0]] if c10d else frames
    callers = [f for f in callers if not _is_torch_distributed(f.filename)]
    if callers:
        what += f' (called at {callers[-1].filename}:{callers[-1].lineno})'
    return (
        f'rank {rank}: {what} waited {_KEY}={timeout} s for another process, '
        'which hung, was stopped or died; if that step can legitimately take '
        'longer (a slow checkpoint save, validation metrics on one rank), raise '
        f'the limit, e.g. --cfg-options {_KEY}={timeout * 2}.'
    )
