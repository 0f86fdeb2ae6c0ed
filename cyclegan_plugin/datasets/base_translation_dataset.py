"""Common behaviour of the translation datasets: pairing RNG, corrupt files."""

import logging
from typing import Callable, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from cyclegan_plugin.registry import TRANSFORMS

from .random_pairing import RandomPairing
from .transforms.image_io import CorruptImageError

__all__ = ['BaseTranslationDataset']


class BaseTranslationDataset(BaseDataset):
    """An MMEngine dataset of two-domain samples with reproducible pairing.

    Subclasses implement ``load_data_list`` (called by ``full_init``, so
    ``lazy_init=True`` defers all disk access) and use ``self.pairing`` to draw
    random partners (see :class:`RandomPairing`).

    With ``skip_corrupt=True`` an item whose image cannot be decoded is
    replaced by the next item; each replacement is counted in
    ``num_skipped`` (per process) and logged with the file's path.

    Args:
        data_root (str): Root folder of the data. Defaults to ''.
        pipeline (Sequence[dict | Callable]): Transforms, configs built from
            the plugin's ``TRANSFORMS`` (which falls back to MMEngine's, e.g.
            for mmcv transforms). Defaults to ().
        seed (int, optional): Seed of the pairing; None uses
            ``torch.initial_seed()`` (the runner's seed). Defaults to None.
        skip_corrupt (bool): Replace items with undecodable images instead of
            raising. Defaults to False.
        test_mode (bool): Defaults to False.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``lazy_init``, ``indices``, ``serialize_data``, ``max_refetch``,
            ``metainfo``).
    """

    def __init__(
        self,
        data_root: str = '',
        pipeline: Sequence[Union[dict, Callable]] = (),
        seed: Optional[int] = None,
        skip_corrupt: bool = False,
        test_mode: bool = False,
        **kwargs,
    ) -> None:
        self.pairing = RandomPairing(seed)
        self.skip_corrupt = skip_corrupt
        self.num_skipped = 0
        # Build transforms from our registry: MMEngine's Compose uses the root
        # registry, which finds plugin transforms only under a default scope.
        transforms = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
        ]
        super().__init__(
            data_root=data_root, pipeline=transforms, test_mode=test_mode, **kwargs
        )

    def __getitem__(self, idx: int) -> dict:
        """The ``idx``-th sample after the pipeline.

        Args:
            idx (int): Index of the sample.

        Returns:
            dict: The pipeline's output, normally ``inputs`` and
            ``data_samples`` from ``PackTranslationInputs``.

        Raises:
            CorruptImageError: If an image cannot be decoded and
                ``skip_corrupt`` is False.
        """
        if not self._fully_initialized:
            self.full_init()
        for _ in range(self.max_refetch + 1):
            try:
                data = self.prepare_data(idx)
            except CorruptImageError as err:
                if not self.skip_corrupt:
                    loader = 'test_dataloader' if self.test_mode else 'train_dataloader'
                    raise CorruptImageError(
                        f'{err} Or skip such files: --cfg-options '
                        f'{loader}.dataset.skip_corrupt=True.'
                    ) from err
                self.num_skipped += 1
                replacement = (idx + 1) % len(self)
                print_log(
                    f'Skipping a corrupt image ({self.num_skipped} skipped so far in '
                    f'this process): {err} Using item {replacement} instead of {idx}.',
                    logger='current',
                    level=logging.WARNING,
                )
                idx = replacement
                continue
            if data is not None:
                return data
            if self.test_mode:
                raise RuntimeError(
                    f'The test pipeline returned None for item {idx}; test '
                    'pipelines must not drop samples.'
                )
            idx = self._rand_another()
        raise RuntimeError(
            f'No valid sample found after {self.max_refetch} refetches; check the '
            'images (skip_corrupt=True skips undecodable ones) and the pipeline.'
        )

    def state_dict(self) -> dict:
        """The pairing state (main-process loading), see :class:`RandomPairing`.

        Returns:
            dict: ``{'pairing': ...}``.
        """
        return dict(pairing=self.pairing.state_dict())

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the state saved by :meth:`state_dict`.

        Args:
            state_dict (dict): As returned by :meth:`state_dict`.
        """
        self.pairing.load_state_dict(state_dict['pairing'])
