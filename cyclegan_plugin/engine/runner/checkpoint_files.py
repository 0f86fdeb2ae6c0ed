"""The files around checkpoints: temporary saves and ``last_checkpoint``."""

import logging
import os
import os.path as osp
import re
from typing import List

from cyclegan_plugin.fileio import write_atomic

LAST_CHECKPOINT = 'last_checkpoint'

# What ``cyclegan_plugin.fileio.temp_name`` makes of a checkpoint's or
# last_checkpoint's name; a kill during the write leaves it behind.
_TEMP_RE = re.compile(r'\.(?:(?:iter|epoch)_\d+\.pth|last_checkpoint)\.tmp-(\d+)')


def _pid_running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process has not started saving yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(folder: str, logger: logging.Logger) -> List[str]:
    """Delete the temporary saves a killed run left in ``folder``.

    Only names ``cyclegan_plugin.fileio.temp_name`` makes (``.iter_N.pth.tmp-PID``,
    ``.epoch_N.pth.tmp-PID``, ``.last_checkpoint.tmp-PID``) are touched, and
    not those of a process that is still running.

    Args:
        folder (str): Where checkpoints are written.
        logger (logging.Logger): Gets a line naming the removed files.

    Returns:
        list[str]: The names removed.
    """
    if not osp.isdir(folder):
        return []
    removed, kept = [], []
    for name in sorted(os.listdir(folder)):
        match = _TEMP_RE.fullmatch(name)
        if match is None:
            continue
        if _pid_running(int(match.group(1))):
            kept.append(name)
            continue
        try:
            os.remove(osp.join(folder, name))
        except FileNotFoundError:
            continue
        removed.append(name)
    if removed:
        logger.info(
            f'Removed partial checkpoint files of an interrupted save in {folder}: '
            f'{", ".join(removed)}'
        )
    if kept:
        logger.warning(
            f'Kept {", ".join(kept)} in {folder}: the process that writes it is '
            'running (another training in this folder?).'
        )
    return removed


def write_last_checkpoint(work_dir: str, checkpoint: str) -> None:
    """Record ``checkpoint`` as the one ``--resume`` continues from.

    A checkpoint inside ``work_dir`` is recorded by its name alone, so a copy
    of the work dir resumes from its own copy. The file is replaced
    atomically: a kill leaves the previous record.

    Args:
        work_dir (str): The run's work dir.
        checkpoint (str): Path of a complete checkpoint.
    """
    folder = osp.dirname(osp.abspath(checkpoint))
    inside = osp.realpath(folder) == osp.realpath(work_dir)
    record = osp.basename(checkpoint) if inside else checkpoint
    write_atomic(osp.join(work_dir, LAST_CHECKPOINT), record.encode())


def _is_inside(path: str, folder: str) -> bool:
    path, folder = osp.realpath(path), osp.realpath(folder)
    return osp.commonpath([path, folder]) == folder


def read_last_checkpoint(work_dir: str, logger: logging.Logger) -> str:
    """The checkpoint ``--resume`` without a path continues from.

    A name is read relative to ``work_dir``. An absolute path outside it
    (a work dir copied from elsewhere, or written by MMEngine's own hook)
    gives way to a file of the same name inside ``work_dir``.

    Args:
        work_dir (str): The run's work dir.
        logger (logging.Logger): Gets a line when the path is redirected.

    Returns:
        str: Path of an existing checkpoint.

    Raises:
        FileNotFoundError: If there is no record or it names no file.
    """
    record_file = osp.join(work_dir, LAST_CHECKPOINT)
    record = ''
    if osp.isfile(record_file):
        with open(record_file) as f:
            record = f.read().strip()
    if not record:
        raise FileNotFoundError(
            f'--resume: the work dir {work_dir} has no checkpoint to resume from '
            f'(no {LAST_CHECKPOINT} file there). Drop --resume to start fresh, '
            'or give a checkpoint: --resume PATH.'
        )
    if not osp.isabs(record):
        path = osp.join(work_dir, record)
    else:
        path = record
        own = osp.join(work_dir, osp.basename(record))
        if not _is_inside(record, work_dir) and osp.isfile(own):
            logger.info(
                f'{record_file} names {record}, outside this work dir (was it '
                f"copied?): resuming from this work dir's {own} instead."
            )
            path = own
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'--resume: {record_file} names {path}, which does not exist. Give an '
            'existing checkpoint: --resume PATH, or drop --resume to start fresh.'
        )
    return path
