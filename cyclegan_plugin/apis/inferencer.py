"""Translate images with a trained CycleGAN, called the way MMagic's inferencer is.

MMagic's ``MMagicInferencer(model_config=..., model_ckpt=...).infer(img=...,
result_out_dir=...)`` maps a config, a checkpoint and an image to an image; this
class offers the same call for our model, built from our configs or from MMagic
configs that use it (``configs/mmagic/``).
"""

from typing import Optional, Union

import numpy as np
import torch
from mmengine.config import Config

from cyclegan_plugin.datasets.transforms.image_io import imread_rgb
from cyclegan_plugin.fileio import write_image_atomic
from cyclegan_plugin.registry import MODELS, build_in_scope
from cyclegan_plugin.structures import Direction, check_direction

from .inference import translate_array
from .model_loading import init_model

__all__ = ['CycleGANInferencer']


class CycleGANInferencer:
    """Config + checkpoint + image → translated image.

    Example:
        >>> inferencer = CycleGANInferencer(
        ...     model_config='configs/mmagic/cyclegan_in-mmagic_...horse2zebra.py',
        ...     model_ckpt='horse2zebra.pth')
        >>> zebra = inferencer.infer(img='horse.jpg', result_out_dir='zebra.png')

    Args:
        model_config (str | Config): Config file or loaded config whose
            ``model`` builds our CycleGAN (also as ``'cyclegan_plugin.CycleGAN'``
            inside an MMagic config).
        model_ckpt (str, optional): Weights in our layout (``generators.A``, ...):
            a training checkpoint, or the output of
            ``tools/convert_checkpoint.py --from mmagic|junyanz``. Defaults to
            None: weights as initialised (for smoke tests only).
        direction (str): ``'AtoB'`` runs G_A, ``'BtoA'`` runs G_B. Defaults to
            ``'AtoB'``.
        device (str | torch.device): Where the model runs. Defaults to ``'cpu'``.
        trust_checkpoint (bool): Allow full unpickling of ``model_ckpt`` (an
            MMEngine training checkpoint needs it; only for files you trust).
            Defaults to False.

    Raises:
        ValueError: If ``direction`` is not ``'AtoB'`` or ``'BtoA'``.
    """

    def __init__(
        self,
        model_config: Union[str, Config],
        model_ckpt: Optional[str] = None,
        direction: Direction = 'AtoB',
        device: Union[str, torch.device] = 'cpu',
        trust_checkpoint: bool = False,
    ) -> None:
        self.direction = check_direction(direction)
        self.model = init_model(model_config, model_ckpt, device, trust_checkpoint)
        # Inference feeds RGB [-1, 1] itself; a config made for MMagic's data flow
        # carries a preprocessor that hands BGR to MMagic's metrics instead.
        if not hasattr(self.model.data_preprocessor, 'normalize'):
            self.model.data_preprocessor = build_in_scope(
                MODELS, dict(type='CycleGANDataPreprocessor')
            ).to(device)

    @torch.no_grad()
    def infer(
        self, img: Union[str, np.ndarray], result_out_dir: Optional[str] = None
    ) -> np.ndarray:
        """Translate one image at its own size.

        Args:
            img (str | np.ndarray): Image file, or an ``(H, W, 3)`` uint8 RGB
                array.
            result_out_dir (str, optional): Image file to write the translation
                to (a file path despite the name, as in MMagic's inferencer).
                Defaults to None (nothing written).

        Returns:
            np.ndarray: ``(H, W, 3)`` uint8 RGB translation.

        Raises:
            FileNotFoundError: If ``img`` is a path that does not exist.
            ValueError: If ``img`` is an array but not ``(H, W, 3)`` uint8.
        """
        image = imread_rgb(img) if isinstance(img, str) else img
        if not (
            isinstance(image, np.ndarray)
            and image.dtype == np.uint8
            and image.ndim == 3
            and image.shape[2] == 3
        ):
            got = (
                f'{image.dtype} array of shape {image.shape}'
                if isinstance(image, np.ndarray)
                else type(image).__name__
            )
            raise ValueError(f'img must be an (H, W, 3) uint8 RGB array, got {got}')
        out = translate_array(self.model, image, self.direction)
        if result_out_dir:
            write_image_atomic(result_out_dir, out)
        return out

    __call__ = infer
