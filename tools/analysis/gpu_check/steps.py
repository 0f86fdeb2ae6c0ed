"""Running the subprocesses of the GPU check, each within its share of the time.

Every piece of work of ``tools/gpu_check.py`` runs in a subprocess of its own
(a *step*): a crash, a hang or CUDA out of memory ends that step, never the
check. A step gets the time its part allows, but never more than what is left
of the check's budget once the parts still to come have their minimum: a slow
part cannot eat the time of the ones after it. A step that runs out of time
is ended with its whole process group (torchrun and its ranks, pytest and its
workers).
"""

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

# A step is not started with less time than this: it would only time out.
MIN_STEP_S = 15.0
# How long a step may take to end after SIGTERM before it gets SIGKILL.
_TERM_GRACE_S = 10.0


class BudgetSpent(RuntimeError):
    """The check's time budget has no room left for a step."""


class StepFailed(RuntimeError):
    """A step exited with an error or ran out of time.

    Args:
        message (str): Why, in one line.
        tail (list[str]): The step's last lines of stderr.
    """

    def __init__(self, message: str, tail: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.tail = list(tail)


@dataclass
class StepResult:
    """What a finished step left.

    Args:
        name (str): The step's name (also its log files' name).
        returncode (int): Its exit status; -9 or -15 when it was ended.
        stdout (str): Everything it wrote to stdout.
        stderr (str): Everything it wrote to stderr.
        seconds (float): Wall time.
        timed_out (bool): Ended because its time was up.
        timeout_s (float): The time it was given.
    """

    name: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool
    timeout_s: float

    def error(self) -> Optional[str]:
        """One line saying why the step failed, None if it did not."""
        if self.timed_out:
            return f'{self.name} timed out after {self.timeout_s:.0f} s'
        if self.returncode == 0:
            return None
        return f'{self.name} exited with code {self.returncode}: {self.last_line()}'

    def check(self) -> 'StepResult':
        """Return ``self``; raise :class:`StepFailed` if the step failed."""
        message = self.error()
        if message is not None:
            raise StepFailed(message, self.tail())
        return self

    def last_line(self) -> str:
        """The step's last words: its ``error:`` line or exception, if any."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        # Progress bars and warnings come after nothing useful; an error line
        # of our tools (run_cli) or an exception's last line is the message.
        # A launcher's own ChildFailedError only says that a rank failed: the
        # rank's exception, printed before it, says why.
        for line in reversed(lines):
            if line.startswith('error:') or (
                _looks_like_exception(line) and not _launcher_summary(line)
            ):
                return line
        return lines[-1] if lines else '(no output on stderr)'

    def tail(self, lines: int = 20, reasons: int = 10) -> List[str]:
        """The last lines of stderr (of stdout if stderr is empty).

        A crashed child of a launcher (a DDP rank aborted by gloo, say)
        explains itself long before the launcher's own summary ends the log,
        so the last ``reasons`` distinct earlier lines that read like an
        explanation (an exception, ``terminate called ...``, a signal) come
        first, then ``'...'``, then the last ``lines`` lines.

        Args:
            lines (int): How many last lines. Defaults to 20.
            reasons (int): How many earlier explaining lines at most.
                Defaults to 10.
        """
        text = self.stderr if self.stderr.strip() else self.stdout
        all_lines = text.rstrip().splitlines()
        last, earlier = all_lines[-lines:], all_lines[:-lines]
        explaining = [line for line in earlier if _explains(line)]
        explaining = list(dict.fromkeys(explaining))[-reasons:] if reasons else []
        return explaining + ['...'] + last if explaining else last


# What a process that died says about it, besides a Python exception.
_DEATH_NOTES = ('terminate called', 'what():', 'Aborted', 'Segmentation fault',
                'Signal ', 'signal ', 'Traceback (most recent call last)')  # fmt: skip


def _explains(line: str) -> bool:
    line = line.strip()
    return _looks_like_exception(line) or any(note in line for note in _DEATH_NOTES)


def _launcher_summary(line: str) -> bool:
    return _strip_rank(line).split(':', 1)[0].endswith('ChildFailedError')


def _strip_rank(line: str) -> str:
    # torchrun may prefix a rank's lines with "[rank1]:" (``--tee``, logs).
    return re.sub(r'^\[(?:default)?(?:rank)?\d+\]:\s*', '', line.strip())


def _looks_like_exception(line: str) -> bool:
    line = _strip_rank(line)
    head = line.split(':', 1)[0]
    return (
        ':' in line
        and head.replace('.', '').isidentifier()
        and (head.endswith(('Error', 'Exception', 'Interrupt', 'Exit')))
    )


class StepRunner:
    """Runs steps as subprocesses within a shared deadline.

    Args:
        deadline (float): ``time.monotonic()`` by which every step must end.
        log_dir (Path): Where each step's stdout and stderr are kept
            (``<name>.out``, ``<name>.err``).
        env (dict): The environment of every step.
        cwd (Path): The folder steps run in.
        min_step_s (float): A step is not started with less time left.
            Defaults to :data:`MIN_STEP_S`.
    """

    def __init__(
        self,
        deadline: float,
        log_dir: Path,
        env: Dict[str, str],
        cwd: Path,
        min_step_s: float = MIN_STEP_S,
    ) -> None:
        self.deadline = deadline
        self.min_step_s = min_step_s
        self.log_dir = Path(log_dir)
        self.env = env
        self.cwd = Path(cwd)
        # Seconds kept free for the parts after the running one.
        self.reserved_s = 0.0

    def remaining(self) -> float:
        """Seconds the running part may still use."""
        return self.deadline - time.monotonic() - self.reserved_s

    def run(
        self,
        name: str,
        argv: Sequence[str],
        timeout_s: float,
        env: Optional[Dict[str, str]] = None,
    ) -> StepResult:
        """Run ``argv`` for at most ``timeout_s`` (or what is left).

        Args:
            name (str): A file-name-safe name, e.g. ``'benchmark-b1'``.
            argv (Sequence[str]): The command.
            timeout_s (float): The step's own limit in seconds.
            env (dict, optional): Variables added to the runner's environment.

        Returns:
            StepResult: How it ended (check it with :meth:`StepResult.check`).

        Raises:
            BudgetSpent: If less than ``min_step_s`` seconds are left.
        """
        timeout = min(timeout_s, self.remaining())
        if timeout < self.min_step_s:
            raise BudgetSpent(
                f'{name} not started: {max(timeout, 0):.0f} s of the time budget '
                f'left (raise --budget-minutes)'
            )
        self.log_dir.mkdir(parents=True, exist_ok=True)
        out_path, err_path = (self.log_dir / f'{name}.{ext}' for ext in ('out', 'err'))
        start = time.monotonic()
        timed_out = False
        with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
            # Its own session: a timeout ends everything the step started.
            proc = subprocess.Popen(
                list(argv),
                cwd=self.cwd,
                env={**self.env, **(env or {})},
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _end_group(proc)
            except BaseException:  # Ctrl-C: leave nothing behind
                _end_group(proc)
                raise
        return StepResult(
            name=name,
            returncode=proc.returncode,
            stdout=out_path.read_text(errors='replace'),
            stderr=err_path.read_text(errors='replace'),
            seconds=round(time.monotonic() - start, 1),
            timed_out=timed_out,
            timeout_s=timeout,
        )


def _end_group(proc: subprocess.Popen) -> None:
    """SIGTERM the step's process group, then SIGKILL whatever is left of it."""
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=_TERM_GRACE_S)
    except subprocess.TimeoutExpired:
        pass
    # The leader may be gone while its children (e.g. torchrun's ranks) live.
    _signal_group(proc, signal.SIGKILL)
    proc.wait()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
