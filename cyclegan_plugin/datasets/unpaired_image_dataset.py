"""Two folders of unaligned images, one per domain (the CycleGAN layout)."""

import os
from typing import Callable, Dict, List, Optional, Sequence, Union

from cyclegan_plugin.registry import DATASETS

from .base_translation_dataset import BaseTranslationDataset
from .holdout_split import HoldoutSplit
from .image_files import check_data_root, list_images

__all__ = ['UnpairedImageDataset']


@DATASETS.register_module()
class UnpairedImageDataset(BaseTranslationDataset):
    """Unaligned images of domains A and B, as the authors' ``unaligned_dataset.py``.

    Layout: ``data_root/{split}A/`` and ``data_root/{split}B/`` (or
    ``domain_dirs``). The length is ``max(|A|, |B|)``; item ``i`` is
    ``A[i % |A|]`` with a random ``B`` (drawn anew at each visit, reproducibly:
    see :class:`RandomPairing`), or with ``B[i % |B|]`` when ``serial=True``.
    Files are found by extension and sorted (see :func:`list_images`).

    An item before the pipeline: ``dict(img_A_path, img_B_path,
    aligned=False, sample_idx)``; the pipeline starts with
    ``LoadTranslationImage``.

    Args:
        data_root (str): The folder holding the domain folders.
        split (str): Prefix of the default domain folders, e.g. ``'train'``
            or ``'test'``. Defaults to ``'train'``.
        domain_dirs (dict, optional): ``{'A': dir, 'B': dir}``, relative to
            ``data_root`` or absolute. Defaults to None
            (``{'A': f'{split}A', 'B': f'{split}B'}``).
        pipeline (Sequence[dict | Callable]): Transforms. Defaults to ().
        serial (bool): Pair ``B[i % |B|]`` instead of a random B.
            Defaults to False.
        aligned (bool): The two folders hold the same scenes in the same
            sorted order (e.g. the authors' Cityscapes test photos and label
            maps): pair them in order and mark items ``aligned=True`` so paired
            metrics apply. Needs ``serial=True`` and equal counts.
            Defaults to False.
        max_dataset_size (int, optional): Use only the first N files of each
            domain. Defaults to None (all).
        seed (int, optional): Pairing seed; None uses ``torch.initial_seed()``.
            Defaults to None.
        skip_corrupt (bool): Replace items with undecodable images (counted,
            logged). Defaults to False.
        test_mode (bool): Defaults to False.
        holdout (dict, optional): ``dict(fraction=F, part='rest' | 'holdout')``:
            use only that part of each folder's files, split by a hash of each
            file's name (:class:`HoldoutSplit`), e.g. train on ``'rest'`` and
            validate on ``'holdout'`` of the training folders to choose
            settings without the test set. Applies before
            ``max_dataset_size``. Defaults to None (all files).
        **kwargs: More :class:`mmengine.dataset.BaseDataset` arguments
            (``lazy_init``, ``indices``, ...).

    Raises:
        FileNotFoundError: At ``full_init``, if ``data_root`` is missing (the
            message says how to get data) or a domain folder is missing or
            holds no images (the message names it).
    """

    def __init__(
        self,
        data_root: str,
        split: str = 'train',
        domain_dirs: Optional[Dict[str, str]] = None,
        pipeline: Sequence[Union[dict, Callable]] = (),
        serial: bool = False,
        aligned: bool = False,
        max_dataset_size: Optional[int] = None,
        seed: Optional[int] = None,
        skip_corrupt: bool = False,
        test_mode: bool = False,
        holdout: Optional[dict] = None,
        **kwargs,
    ) -> None:
        if domain_dirs is None:
            domain_dirs = {'A': f'{split}A', 'B': f'{split}B'}
        if set(domain_dirs) != {'A', 'B'}:
            raise ValueError(
                f"domain_dirs must have exactly the keys 'A' and 'B', got {domain_dirs}"
            )
        self.split = split
        self.domain_dirs = dict(domain_dirs)
        if aligned and not serial:
            raise ValueError('aligned=True pairs files in order: set serial=True too.')
        self.serial = serial
        self.aligned = aligned
        self.max_dataset_size = max_dataset_size
        self.holdout = HoldoutSplit.from_cfg(holdout) if holdout is not None else None
        self.paths_A: List[str] = []
        self.paths_B: List[str] = []
        super().__init__(
            data_root=data_root,
            pipeline=pipeline,
            seed=seed,
            skip_corrupt=skip_corrupt,
            test_mode=test_mode,
            **kwargs,
        )

    def load_data_list(self) -> List[dict]:
        """Scan the domain folders.

        Returns:
            list[dict]: One item per index, ``max(|A|, |B|)`` of them.
        """
        check_data_root(self.data_root)
        self.paths_A, self.paths_B = (
            list_images(
                os.path.join(self.data_root, self.domain_dirs[domain]),
                self.max_dataset_size,
                holdout=self.holdout,
            )
            for domain in ('A', 'B')
        )
        num_a, num_b = len(self.paths_A), len(self.paths_B)
        if self.aligned and num_a != num_b:
            raise ValueError(
                f'aligned=True needs as many images in {self.domain_dirs["A"]} '
                f'({num_a}) as in {self.domain_dirs["B"]} ({num_b}) under '
                f'{self.data_root}.'
            )
        data_list = []
        for i in range(max(num_a, num_b)):
            item = dict(img_A_path=self.paths_A[i % num_a], aligned=self.aligned)
            if self.serial:
                item['img_B_path'] = self.paths_B[i % num_b]
            data_list.append(item)
        return data_list

    def get_data_info(self, idx: int) -> dict:
        """The item before the pipeline, its B drawn now unless ``serial``.

        Args:
            idx (int): Index of the item.

        Returns:
            dict: ``img_A_path``, ``img_B_path``, ``aligned``, ``sample_idx``.
        """
        info = super().get_data_info(idx)
        if not self.serial:
            pick = self.pairing.pick(info['sample_idx'], len(self.paths_B))
            info['img_B_path'] = self.paths_B[pick]
        return info
