"""Makes checkpoints weights-only readable and resumed runs exact."""

import random
from typing import Any, Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from cyclegan_plugin.registry import HOOKS

_BUFFER_TAG = '__history_buffer__'


def _to_plain(obj: Any) -> Any:
    """Replace NumPy values and HistoryBuffers by tensors and plain types."""
    if isinstance(obj, HistoryBuffer):
        log, count = obj.data
        return {
            _BUFFER_TAG: True,
            'log': torch.from_numpy(np.array(log)),
            'count': torch.from_numpy(np.array(count)),
            'max_length': obj.max_length,
        }
    if isinstance(obj, dict):
        return {k: _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_plain(v) for v in obj)
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(obj.copy())
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _from_plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        if obj.get(_BUFFER_TAG):
            return HistoryBuffer(
                obj['log'].numpy(), obj['count'].numpy(), obj['max_length']
            )
        return {k: _from_plain(v) for k, v in obj.items()}
    return obj


@HOOKS.register_module()
class ResumeStateHook(Hook):
    """Checkpoint what an exact ``--resume`` needs, in weights-only form.

    On save: the Python, NumPy and torch (CPU and CUDA) random states are
    added as ``checkpoint['rng_states']``, and MMEngine's message hub (which
    pickles ``HistoryBuffer`` objects with bound methods) is stored as plain
    tensors, so the whole checkpoint loads with
    ``torch.load(weights_only=True)``.

    On resume: the message hub is rebuilt, and the random states are restored
    right before the first new batch is fetched, i.e. *after* MMEngine's
    iteration-based loop has replayed the dataloader up to the checkpoint.
    The replay draws random numbers in the data pipeline exactly as the
    original run did; restoring afterwards also covers what the training
    steps drew (dropout, gradient-penalty interpolation). Epoch-based loops
    do not replay; there the states are restored before the epoch starts.
    """

    priority = 'VERY_LOW'  # after every hook that adds to the checkpoint

    def __init__(self) -> None:
        self._pending: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add RNG states; make the message hub plain."""
        py_version, py_state, py_gauss = random.getstate()
        _, keys, pos, has_gauss, gauss = np.random.get_state()
        states = dict(
            python=dict(version=py_version, state=list(py_state), gauss=py_gauss),
            numpy=dict(
                keys=torch.from_numpy(keys.astype(np.int64)),
                pos=int(pos),
                has_gauss=int(has_gauss),
                gauss=float(gauss),
            ),
            torch=torch.get_rng_state(),
        )
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            states['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint['rng_states'] = states
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = _to_plain(checkpoint['message_hub'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rebuild the message hub; keep RNG states until training resumes."""
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = _from_plain(checkpoint['message_hub'])
        self._pending = checkpoint.get('rng_states')

    def before_train_epoch(self, runner) -> None:
        """Arrange for the saved states to come back at the right moment."""
        if self._pending is None:
            return
        states, self._pending = self._pending, None
        loop = runner.train_loop
        if hasattr(loop, 'dataloader_iterator') and loop.iter > 0:
            loop.dataloader_iterator = _RestoreOnFetch(loop, states, loop.iter)
        else:
            _restore(states)


class _RestoreOnFetch:
    """Dataloader iterator proxy: restores RNG states after ``skip`` batches.

    MMEngine's ``IterBasedTrainLoop`` replays ``skip`` batches on resume
    right after ``before_train_epoch``; the next fetch is the first new one.
    """

    def __init__(self, loop, states: dict, skip: int) -> None:
        self._loop, self._inner = loop, loop.dataloader_iterator
        self._states, self._skip = states, skip

    def __iter__(self) -> '_RestoreOnFetch':
        return self

    def __next__(self) -> Any:
        if self._skip > 0:
            self._skip -= 1
            return next(self._inner)
        _restore(self._states)
        self._loop.dataloader_iterator = self._inner
        return next(self._inner)


def _restore(states: dict) -> None:
    """Set the Python, NumPy and torch generators to saved states."""
    py = states['python']
    random.setstate((py['version'], tuple(py['state']), py['gauss']))
    npst = states['numpy']
    keys = npst['keys'].numpy().astype(np.uint32)
    np.random.set_state(
        ('MT19937', keys, npst['pos'], npst['has_gauss'], npst['gauss'])
    )
    torch.set_rng_state(states['torch'])
    if 'cuda' in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states['cuda'])
