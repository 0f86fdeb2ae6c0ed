"""pix2pix "AB" files: each image holds a pair side by side."""

import os
from typing import Callable, List, Optional, Sequence, Union

from cyclegan_plugin.registry import DATASETS
from cyclegan_plugin.structures import Direction, check_direction

from .base_translation_dataset import BaseTranslationDataset
from .holdout_split import HoldoutSplit
from .image_files import check_data_root, list_images

__all__ = ['AlignedImageDataset']


@DATASETS.register_module()
class AlignedImageDataset(BaseTranslationDataset):
    """Aligned pairs stored as one image, A on the left and B on the right.

    Layout: ``data_root/{split}/*.jpg`` (e.g. facades: 512 x 256 files, photo
    left, label map right). ``direction='BtoA'`` makes the right half A.

    By default (``unpaired=False``) each item is a true pair and carries
    ``aligned=True``, so evaluation has ground truth and the random crop/flip
    transforms share their parameters between A and B (they do so whenever
    ``aligned`` is set). With ``unpaired=True`` (unpaired training on aligned
    data) B is the B half of a random *other* file and ``aligned=False``.

    An item before the pipeline: ``dict(img_path, split_AB=True, direction,
    aligned, sample_idx[, img_path_B])``; the pipeline starts with
    ``LoadAlignedPair``.

    Args:
        data_root (str): The folder holding the split folders.
        split (str): The split folder, e.g. ``'train'``, ``'val'``, ``'test'``.
            Defaults to ``'train'``.
        pipeline (Sequence[dict | Callable]): Transforms. Defaults to ().
        direction (str): ``'AtoB'`` (A = left half) or ``'BtoA'``.
            Defaults to ``'AtoB'``.
        unpaired (bool): Pair each A with the B of another random file.
            Defaults to False.
        max_dataset_size (int, optional): Use only the first N files.
            Defaults to None (all).
        seed (int, optional): Pairing seed for ``unpaired``; None uses
            ``torch.initial_seed()``. Defaults to None.
        skip_corrupt (bool): Replace items with undecodable images (counted,
            logged). Defaults to False.
        test_mode (bool): Defaults to False.
        holdout (dict, optional): Use only one part of the files,
            ``dict(fraction=F, part='rest' | 'holdout')``, as in
            :class:`UnpairedImageDataset`. Defaults to None (all files).
        **kwargs: More :class:`mmengine.dataset.BaseDataset` arguments.

    Raises:
        FileNotFoundError: At ``full_init``, if ``data_root`` or the split
            folder is missing or holds no images.
    """

    def __init__(
        self,
        data_root: str,
        split: str = 'train',
        pipeline: Sequence[Union[dict, Callable]] = (),
        direction: Direction = 'AtoB',
        unpaired: bool = False,
        max_dataset_size: Optional[int] = None,
        seed: Optional[int] = None,
        skip_corrupt: bool = False,
        test_mode: bool = False,
        holdout: Optional[dict] = None,
        **kwargs,
    ) -> None:
        self.split = split
        self.direction = check_direction(direction)
        self.unpaired = unpaired
        self.max_dataset_size = max_dataset_size
        self.holdout = HoldoutSplit.from_cfg(holdout) if holdout is not None else None
        self.paths: List[str] = []
        super().__init__(
            data_root=data_root,
            pipeline=pipeline,
            seed=seed,
            skip_corrupt=skip_corrupt,
            test_mode=test_mode,
            **kwargs,
        )

    def load_data_list(self) -> List[dict]:
        """Scan the split folder.

        Returns:
            list[dict]: One item per file.
        """
        check_data_root(self.data_root)
        folder = os.path.join(self.data_root, self.split)
        self.paths = list_images(folder, self.max_dataset_size, holdout=self.holdout)
        if self.unpaired and len(self.paths) < 2:
            raise ValueError(
                f'unpaired=True needs at least 2 images in {folder!r} to pair A '
                f'with the B of another file, found {len(self.paths)}'
            )
        return [
            dict(
                img_path=path,
                file_idx=i,
                split_AB=True,
                direction=self.direction,
                aligned=not self.unpaired,
            )
            for i, path in enumerate(self.paths)
        ]

    def get_data_info(self, idx: int) -> dict:
        """The item before the pipeline, with a random other B if unpaired.

        Args:
            idx (int): Index of the item.

        Returns:
            dict: ``img_path``, ``split_AB``, ``direction``, ``aligned``,
            ``sample_idx`` and, if unpaired, ``img_path_B``.
        """
        info = super().get_data_info(idx)
        if self.unpaired:
            # Draw among the other files: skip over this item's own file.
            other = self.pairing.pick(info['sample_idx'], len(self.paths) - 1)
            other += other >= info['file_idx']
            info['img_path_B'] = self.paths[other]
        return info
