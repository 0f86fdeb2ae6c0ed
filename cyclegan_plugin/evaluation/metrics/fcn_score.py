"""FCN score: segment translated photos and compare with the source labels."""

import os.path as osp
from typing import Any, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.registry import DefaultScope

from ...registry import METRICS, MODELS, build_in_scope
from .base_segmentation_metric import BaseSegmentationMetric
from .sample_field import get_field


@METRICS.register_module()
class FCNScore(BaseSegmentationMetric):
    """The paper's labels→photo score: how well a segmenter recovers the labels.

    A segmentation model, trained on real photos of the target domain, labels
    each translated photo (``fake_A`` for 'BtoA'); its prediction is compared
    with the label map that was translated (``real_B``), mapped to classes by
    the nearest palette colour. Confusion matrix, scores and keys
    (``FCN-PixelAcc-BtoA``, ``FCN-ClassAcc-BtoA``, ``FCN-mIoU-BtoA``) as in
    :class:`BaseSegmentationMetric`. The paper used an FCN-8s on Cityscapes;
    any model with the contract below will do.

    Model contract: float images (N, 3, H, W) in [-1, 1] (RGB, like the
    generators) in, class logits (N, K, h, w) out, K = palette size; the
    logits are resized bilinearly to the label map's size before argmax.

    Without a model the metric is skipped: it logs why and reports nothing.

    Args:
        model (str | dict, optional): Path of a TorchScript file, or the
            config of a model registered in ``MODELS`` (its ``init_cfg``
            loads its weights, e.g. ``dict(type='Pretrained', checkpoint=...)``).
            Defaults to None (skipped).
        direction (str): 'BtoA' (segment ``fake_A``, truth ``real_B``) or
            'AtoB'. Defaults to 'BtoA', labels→photo on facades.
        palette (str | Sequence[Sequence[int]]): Palette name or colours.
            Defaults to 'facades'.
        class_names (Sequence[str], optional): Class names. Defaults to None.
        input_size (int, optional): Resize photos to this square size before
            the model. Defaults to None (as they are).
        device (str, optional): Device of the model. Defaults to None (CUDA
            when available).
        **kwargs: ``bootstrap``, ``collect_device``, ``prefix``, ``collect_dir``.

    Raises:
        FileNotFoundError: If ``model`` is a path that does not exist.
    """

    key_prefix = 'FCN-'

    def __init__(
        self,
        model: Optional[Union[str, dict]] = None,
        direction: str = 'BtoA',
        palette: Union[str, Sequence[Sequence[int]]] = 'facades',
        class_names: Optional[Sequence[str]] = None,
        input_size: Optional[int] = None,
        device: Optional[str] = None,
        **kwargs,
    ) -> None:
        super().__init__(direction, palette, class_names, **kwargs)
        if device is None:
            device = 'cuda' if torch.cuda.is_available() else 'cpu'
        self.device = torch.device(device)
        self.input_size = input_size
        self.model = self._load(model) if model is not None else None

    def _load(self, model: Union[str, dict]) -> torch.nn.Module:
        if isinstance(model, str):
            if not osp.isfile(model):
                raise FileNotFoundError(
                    f'FCNScore: segmentation model not found: {model}'
                )
            network = torch.jit.load(model, map_location=self.device)
        else:
            network = build_in_scope(MODELS, model)
            if hasattr(network, 'init_weights'):
                # In our scope a Pretrained init_cfg reads its file as weights
                # only (WeightsOnlyPretrainedInit), whatever the caller's scope.
                with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
                    network.init_weights()
        return network.to(self.device).eval()

    @property
    def truth_field(self) -> str:
        """The label map that was translated, e.g. ``real_B`` for 'BtoA'."""
        return self.fields.source

    @torch.no_grad()
    def predict(self, sample: Any, truth: torch.Tensor) -> torch.Tensor:
        """Classes the segmentation model sees in the translated photo.

        Raises:
            ValueError: If the model's output is not (1, K, h, w).
        """
        photo = get_field(sample, self.fields.fake, 'FCNScore')
        x = photo.to(self.device, torch.float32).unsqueeze(0) / 127.5 - 1
        if self.input_size is not None:
            size = (self.input_size, self.input_size)
            x = F.interpolate(x, size, mode='bilinear', align_corners=False)
        logits = self.model(x)
        if logits.ndim != 4 or logits.shape[:2] != (1, self.num_classes):
            raise ValueError(
                f'FCNScore: the model must return (N, {self.num_classes}, h, w) '
                f'logits for a palette of {self.num_classes} classes, got '
                f'{tuple(logits.shape)}'
            )
        logits = F.interpolate(
            logits.float(), truth.shape, mode='bilinear', align_corners=False
        )
        return logits[0].argmax(dim=0).cpu()

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Score each sample, unless no model is configured."""
        if self.model is not None:
            super().process(data_batch, data_samples)

    def evaluate(self, size: int) -> dict:
        """The scores, or an empty dict and a logged reason without a model.

        Args:
            size (int): Length of the whole dataset.

        Returns:
            dict: See :meth:`compute_metrics`.
        """
        if self.model is None:
            print_log(
                'FCNScore skipped: no segmentation model configured. Set '
                "model='path/to/segmenter.pt' (TorchScript) or a registered "
                'model config to score translated photos.',
                logger='current',
            )
            return {}
        return super().evaluate(size)
