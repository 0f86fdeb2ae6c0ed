"""Reproducible random pairing of unaligned images."""

from typing import Dict, Optional

import numpy as np
import torch
from mmengine.dist import get_rank
from torch.utils.data import get_worker_info

__all__ = ['RandomPairing']


class RandomPairing:
    """Pick a random partner for each visit of an index, reproducibly.

    The partner of the ``v``-th visit (counted from 0 in this process) of index
    ``i`` is a pure function::

        partner = H(seed, rank, worker, i, v) mod num_choices

    where ``H`` is NumPy's ``SeedSequence`` hash (stable across NumPy versions),
    ``seed`` is the given seed or, when None, ``torch.initial_seed()`` of the
    calling process (the runner's seed in the main process; PyTorch and
    MMEngine derive distinct, deterministic seeds for DataLoader workers),
    ``rank`` the distributed rank and ``worker`` the DataLoader worker id + 1
    (0 in the main process). Hence:

    - different workers never share a pairing sequence (``worker`` differs);
    - pairings are deterministic given the seed and the indices each process is
      asked for, for any ``num_workers``;
    - a fresh process asked for the same indices gives the same pairings (how
      MMEngine resumes iteration-based training, by re-iterating the loader);
    - every visit of an index draws anew, like the authors' ``random.randint``.

    Visit counts live in each process: workers that are re-created every epoch
    (``persistent_workers=False``) with the same seeds (an explicit ``seed``,
    or MMEngine's ``worker_init_fn``) repeat their pairings each epoch, as they
    repeat every other random augmentation. Use ``persistent_workers=True``.

    Args:
        seed (int, optional): Defaults to None (``torch.initial_seed()``).
    """

    def __init__(self, seed: Optional[int] = None) -> None:
        if seed is not None and seed < 0:
            raise ValueError(f'seed must be >= 0, got {seed}')
        self.seed = seed
        self._visits: Dict[int, int] = {}

    def pick(self, index: int, num_choices: int) -> int:
        """Draw a partner in ``[0, num_choices)`` for this visit of ``index``.

        Args:
            index (int): The item being fetched.
            num_choices (int): How many partners there are.

        Returns:
            int: The partner's index.
        """
        if num_choices <= 0:
            raise ValueError(f'num_choices must be positive, got {num_choices}')
        visit = self._visits.get(index, 0)
        self._visits[index] = visit + 1
        seed = self.seed if self.seed is not None else torch.initial_seed()
        worker_info = get_worker_info()
        worker = 0 if worker_info is None else worker_info.id + 1
        entropy = [seed, get_rank(), worker, index, visit]
        state = np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0]
        return int(state % np.uint64(num_choices))

    def state_dict(self) -> dict:
        """The visit counts (main process), to resume the same pairings.

        Returns:
            dict: ``{'seed': ..., 'visits': {index: count}}``.
        """
        return dict(seed=self.seed, visits=dict(self._visits))

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore visit counts saved by :meth:`state_dict`.

        Args:
            state_dict (dict): As returned by :meth:`state_dict`.

        Raises:
            ValueError: If it was saved with a different seed.
        """
        if state_dict.get('seed') != self.seed:
            raise ValueError(
                f'Pairing state saved with seed {state_dict.get("seed")} cannot be '
                f'loaded into a pairing with seed {self.seed}'
            )
        self._visits = {int(k): int(v) for k, v in state_dict['visits'].items()}
