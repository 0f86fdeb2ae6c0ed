"""Saves and restores the global random number generators with checkpoints."""

import random
from typing import Optional

import numpy as np
import torch
from mmengine.hooks import Hook

from cyclegan_plugin.registry import HOOKS


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make ``--resume`` continue the exact random stream of the stopped run.

    The Python, NumPy and torch (CPU and CUDA) generator states go into every
    checkpoint as plain tensors and lists, so ``torch.load(weights_only=True)``
    can read them. On resume they are restored at the first training
    iteration, i.e. *after* MMEngine's iteration-based loop has replayed the
    dataloader up to the checkpoint: the replay consumes random numbers in
    the data pipeline exactly as the original run did, and restoring
    afterwards also covers what the training steps themselves drew
    (dropout, gradient-penalty interpolation).
    """

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._pending: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add ``checkpoint['rng_states']``."""
        version, keys, pos, has_gauss, gauss = np.random.get_state()
        states = dict(
            python=list(random.getstate()[1]) + [random.getstate()[0]],
            python_gauss=random.getstate()[2],
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

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keep the states until training resumes."""
        self._pending = checkpoint.get('rng_states')

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Restore the saved states once, at the first resumed iteration."""
        if self._pending is None:
            return
        states, self._pending = self._pending, None
        py = states['python']
        random.setstate((py[-1], tuple(py[:-1]), states['python_gauss']))
        npst = states['numpy']
        np.random.set_state(
            (
                'MT19937',
                npst['keys'].numpy().astype(np.uint32),
                npst['pos'],
                npst['has_gauss'],
                npst['gauss'],
            )
        )
        torch.set_rng_state(states['torch'])
        if 'cuda' in states and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(states['cuda'])
