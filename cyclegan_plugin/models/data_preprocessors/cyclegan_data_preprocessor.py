"""Turns packed uint8 RGB images into the [-1, 1] batches CycleGAN trains on."""

from typing import Any, Dict, Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor

from cyclegan_plugin.registry import MODELS

ImageBatch = Union[torch.Tensor, Sequence[torch.Tensor]]


@MODELS.register_module()
class CycleGANDataPreprocessor(BaseDataPreprocessor):
    """Stack, move and scale the images of each domain.

    Input (from ``PackTranslationInputs`` through the default collate):
    ``dict(inputs=dict(img_A=[(3, H, W) uint8, ...], img_B=[...]),
    data_samples=[...])``. Output: the same dict with each domain stacked to
    ``(N, 3, H, W)`` float32 in [-1, 1] on the model's device (``x / 127.5 - 1``),
    channel order unchanged (RGB).

    Args:
        keys (Sequence[str]): Image keys of ``inputs`` to process.
            Defaults to ``('img_A', 'img_B')``.
        non_blocking (bool): Copy to the device asynchronously (with pinned
            host memory). Defaults to True.
    """

    def __init__(
        self,
        keys: Sequence[str] = ('img_A', 'img_B'),
        non_blocking: bool = True,
    ) -> None:
        super().__init__(non_blocking=non_blocking)
        self.keys = tuple(keys)

    def forward(self, data: Dict[str, Any], training: bool = False) -> dict:
        """Preprocess one batch.

        Args:
            data (dict): ``inputs`` (dict of image batches) and optional
                ``data_samples``.
            training (bool): Unused; the same scaling applies in training
                and testing.

        Returns:
            dict: ``inputs`` with float ``(N, 3, H, W)`` tensors in [-1, 1]
            and ``data_samples`` moved to the device.

        Raises:
            KeyError: If ``inputs`` is not a dict with at least one of
                ``keys``.
        """
        inputs = data.get('inputs') if isinstance(data, dict) else None
        if not isinstance(inputs, dict) or not any(k in inputs for k in self.keys):
            got = sorted(inputs) if isinstance(inputs, dict) else type(inputs)
            raise KeyError(
                f'CycleGANDataPreprocessor expects data["inputs"] to be a dict '
                f'with keys among {list(self.keys)}, but got {got}. End the '
                'dataset pipeline with PackTranslationInputs.'
            )
        out = {
            k: self.normalize(self._stack(k, v))
            for k, v in inputs.items()
            if k in self.keys
        }
        samples = data.get('data_samples')
        return dict(
            inputs=out,
            data_samples=self.cast_data(samples) if samples is not None else None,
        )

    def _stack(self, key: str, batch: ImageBatch) -> torch.Tensor:
        if isinstance(batch, torch.Tensor):
            stacked = batch if batch.dim() == 4 else batch.unsqueeze(0)
        else:
            shapes = {tuple(x.shape) for x in batch}
            if len(shapes) != 1:
                raise ValueError(
                    f'Images of {key!r} in one batch must share a shape, but '
                    f'got {sorted(shapes)}; resize or crop them in the '
                    'pipeline, or use batch_size=1.'
                )
            stacked = torch.stack(list(batch))
        if stacked.dim() != 4 or stacked.size(1) not in (1, 3):
            raise ValueError(
                f'{key!r} must be (N, 3, H, W) images, but got '
                f'shape {tuple(stacked.shape)}'
            )
        return self.cast_data(stacked)

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Map uint8 (or float in [0, 255]) images to float32 in [-1, 1]."""
        return images.float() / 127.5 - 1.0

    @staticmethod
    def destruct(
        images: torch.Tensor, device: Optional[torch.device] = None
    ) -> torch.Tensor:
        """Map float images in [-1, 1] back to uint8 [0, 255] (rounded).

        Args:
            images (Tensor): ``(N, 3, H, W)`` or ``(3, H, W)`` float images.
            device (torch.device, optional): Where to put the result.
                Defaults to the input's device.

        Returns:
            Tensor: uint8 images of the same shape.
        """
        out = ((images.detach().float() + 1.0) * 127.5).round().clamp_(0, 255)
        out = out.to(torch.uint8).contiguous()
        return out if device is None else out.to(device)
