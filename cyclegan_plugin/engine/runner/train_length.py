"""Checks that a training run has iterations (or epochs) left to train."""

from typing import Optional, Union

from mmengine.runner import BaseLoop, EpochBasedTrainLoop


def check_train_length(loop: Optional[Union[BaseLoop, dict]]) -> None:
    """Refuse a ``train_cfg`` whose length is zero or negative.

    Args:
        loop (BaseLoop | dict, optional): The runner's train loop or its
            config (``train_cfg``).

    Raises:
        ValueError: If ``max_iters`` or ``max_epochs`` is <= 0.
    """
    if isinstance(loop, BaseLoop):
        lengths = dict(max_iters=loop.max_iters)
    else:
        lengths = {k: (loop or {}).get(k) for k in ('max_iters', 'max_epochs')}
    for key, value in lengths.items():
        if isinstance(value, (int, float)) and value <= 0:
            raise ValueError(
                f'train_cfg.{key} is {value}: nothing would be trained. Set a '
                f'positive number, e.g. --cfg-options train_cfg.{key}=1000.'
            )


def check_resumed_progress(loop: BaseLoop, checkpoint: str) -> None:
    """Refuse to resume a checkpoint at or past the end of training.

    Args:
        loop (BaseLoop): The train loop, with the checkpoint's progress.
        checkpoint (str): The resumed file, for the message.

    Raises:
        ValueError: If no iteration (epoch) is left to train.
    """
    if isinstance(loop, EpochBasedTrainLoop):
        done, end, key, unit = loop.epoch, loop.max_epochs, 'max_epochs', 'epoch'
    else:
        done, end, key, unit = loop.iter, loop.max_iters, 'max_iters', 'iteration'
    if done >= end:
        raise ValueError(
            f'Nothing to resume: {checkpoint} is at {unit} {done} and '
            f'train_cfg.{key} is {end}. To train on, raise it: '
            f'--cfg-options train_cfg.{key}=N with N > {done}.'
        )
