"""A generated two-domain data set for demos and tests: no files needed."""

from typing import Any, Callable, List, Literal, Optional, Sequence, Union

from cyclegan_plugin.registry import DATASETS

from .base_translation_dataset import BaseTranslationDataset
from .synthetic_scenes import render_scene, scene_rng, synthetic_name

__all__ = ['SyntheticStripesDataset']


@DATASETS.register_module()
class SyntheticStripesDataset(BaseTranslationDataset):
    """Plain coloured shapes (A) and zebra-striped shapes (B), generated.

    See :mod:`cyclegan_plugin.datasets.synthetic_scenes` for the scenes.
    ``split='train'`` is unpaired: item ``i`` is A scene ``i`` with a random B
    scene drawn from an independent stream (anew at each visit, as
    :class:`UnpairedImageDataset` does). ``split='test'`` renders one scene in
    both styles, so B is A's ground-truth translation (``aligned=True``).
    Scenes depend only on ``(seed, split, index)``.

    The dataset emits images directly, so the pipeline has no loading step,
    e.g. ``[dict(type='RandomFlipImages'), dict(type='PackTranslationInputs')]``.
    An item before the pipeline: ``img_A``, ``img_B`` ((H, W, 3) uint8 RGB),
    ``img_A_path``/``img_B_path`` (synthetic names such as
    ``synthetic_A_000012.png``), ``ori_shape_A``, ``ori_shape_B``,
    ``aligned``, ``sample_idx``.

    Args:
        split (str): ``'train'`` (unpaired) or ``'test'`` (aligned).
            Defaults to ``'train'``.
        num_samples (int): Number of items (and of scenes per domain).
            Defaults to 500.
        img_size (int): Height and width of the images. Defaults to 64.
        seed (int): Defines the scenes. Defaults to 0.
        pairing_seed (int, optional): Seed of the random A/B pairing of the
            train split; None uses ``torch.initial_seed()``. Defaults to None.
        pipeline (Sequence[dict | Callable]): Transforms. Defaults to ().
        test_mode (bool): Defaults to False.
        **kwargs: More :class:`mmengine.dataset.BaseDataset` arguments.
    """

    def __init__(
        self,
        split: Literal['train', 'test'] = 'train',
        num_samples: int = 500,
        img_size: int = 64,
        seed: int = 0,
        pairing_seed: Optional[int] = None,
        pipeline: Sequence[Union[dict, Callable]] = (),
        test_mode: bool = False,
        **kwargs,
    ) -> None:
        if split not in ('train', 'test'):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        if num_samples <= 0:
            raise ValueError(f'num_samples must be positive, got {num_samples}')
        if img_size < 8:
            raise ValueError(f'img_size must be >= 8, got {img_size}')
        self.split = split
        self.num_samples = num_samples
        self.img_size = img_size
        self.scene_seed = seed
        super().__init__(
            pipeline=pipeline, seed=pairing_seed, test_mode=test_mode, **kwargs
        )

    def load_data_list(self) -> List[dict]:
        """One item per scene index; images are rendered on access.

        Returns:
            list[dict]: ``dict(scene_idx=i, aligned=...)`` for each item.
        """
        aligned = self.split == 'test'
        return [dict(scene_idx=i, aligned=aligned) for i in range(self.num_samples)]

    def get_data_info(self, idx: int) -> dict:
        """The item's scene numbers and names (B drawn now for 'train').

        Args:
            idx (int): Index of the item.

        Returns:
            dict: ``scene_idx``, ``scene_idx_B``, ``img_A_path``,
            ``img_B_path``, ``aligned``, ``sample_idx``.
        """
        info = super().get_data_info(idx)
        scene_a = info['scene_idx']
        if self.split == 'test':
            scene_b = scene_a
        else:
            scene_b = self.pairing.pick(info['sample_idx'], self.num_samples)
        info.update(
            scene_idx_B=scene_b,
            img_A_path=synthetic_name('A', scene_a),
            img_B_path=synthetic_name('B', scene_b),
        )
        return info

    def prepare_data(self, idx: int) -> Any:
        """Render the item's two images and run the pipeline.

        Args:
            idx (int): Index of the item.

        Returns:
            Any: The pipeline's output.
        """
        info = self.get_data_info(idx)
        size = self.img_size
        if self.split == 'test':
            stream_a = stream_b = 'test'
        else:
            stream_a, stream_b = 'train_A', 'train_B'
        img_a = render_scene(
            scene_rng(self.scene_seed, stream_a, info['scene_idx']), size, 'plain'
        )
        img_b = render_scene(
            scene_rng(self.scene_seed, stream_b, info['scene_idx_B']), size, 'striped'
        )
        info.update(
            img_A=img_a,
            img_B=img_b,
            ori_shape_A=img_a.shape[:2],
            ori_shape_B=img_b.shape[:2],
        )
        return self.pipeline(info)
