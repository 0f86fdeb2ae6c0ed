"""Skips optimizer updates on non-finite losses, and stops a diverged run."""

import logging
from typing import Dict

import torch
from mmengine import print_log
from mmengine.dist import all_reduce, get_world_size
from mmengine.optim import OptimWrapper


class NonFiniteGuard:
    """Apply an update only when its losses are finite on every rank.

    A non-finite loss skips the update (gradients are cleared), is counted,
    and is reported with the names of the offending terms. ``max_streak``
    skips in a row raise an error that says what to try, so training stops
    with the last good checkpoint intact instead of writing NaN weights.

    Args:
        max_streak (int): Consecutive skips that stop training.
    """

    def __init__(self, max_streak: int) -> None:
        if max_streak < 1:
            raise ValueError(f'max_nonfinite_streak must be >= 1, but got {max_streak}')
        self.max_streak = int(max_streak)
        self.streak = 0
        self.total = 0

    def update(self, optim: OptimWrapper, losses: Dict[str, torch.Tensor]) -> bool:
        """Back-propagate and step ``optim`` on the sum of ``losses``.

        Args:
            optim (OptimWrapper): The wrapper of the networks these losses
                train.
            losses (dict[str, Tensor]): Named scalar losses.

        Returns:
            bool: Whether the update was applied.

        Raises:
            RuntimeError: After ``max_streak`` skipped updates in a row.
        """
        total = sum(losses.values())
        finite = torch.isfinite(total.detach()).float()
        if get_world_size() > 1:
            # Every rank must skip together, or DDP's all-reduce deadlocks.
            all_reduce(finite, op='min')
        if finite.item() == 1.0:
            optim.update_params(total)
            self.streak = 0
            return True
        bad = [k for k, v in losses.items() if not torch.isfinite(v).all()]
        self.streak += 1
        self.total += 1
        optim.zero_grad()
        print_log(
            f'Non-finite loss in {bad or "another rank"}: skipped this update '
            f'({self.streak} in a row, {self.total} in all).',
            logger='current',
            level=logging.WARNING,
        )
        if self.streak >= self.max_streak:
            raise RuntimeError(
                f'{self.streak} iterations in a row had non-finite losses '
                f'(last: {bad}). Training diverged; resume from the last good '
                'checkpoint with a lower learning rate '
                '(optim_wrapper.*.optimizer.lr), a lower identity weight '
                '(model.identity_loss.loss_weight), or in fp32 (without --amp).'
            )
        return False
