"""MMagic's ``DataPreprocessor`` behind the interface our ``CycleGAN`` uses.

Our model reads RGB batches in [-1, 1] (``docs/design.md``) and turns its outputs
into images with ``data_preprocessor.destruct(images, device)``. MMagic's data flow
differs in three ways, bridged here so that our model trains and validates on
MMagic's pipeline and feeds MMagic's metrics and visualizer unchanged:

- MMagic loads images as BGR: the bridge always hands the model RGB
  (``output_channel_order='RGB'``).
- MMagic's metrics (``TransFID``, ``TransIS``) and ``Visualizer`` read BGR images
  in [0, 255] from the model's outputs: ``destruct`` returns uint8 **BGR**.
- MMagic stacks a batch's samples into one ``DataSample``, which its metrics
  need (``TransFID`` reads ``data_samples.img_B``); the bridge keeps it stacked but
  lets the model index it per sample (``data_samples[i]``).

MMagic is imported only when the bridge is built, so importing this module (and
the plugin) never needs MMagic.
"""

import functools
from typing import Any, Optional

import torch
from torch import nn

from cyclegan_plugin.registry import MODELS

__all__ = ['build_mmagic_data_preprocessor']


@functools.lru_cache(maxsize=None)
def _bridge_class() -> type:
    """Define the bridge class on first use: it subclasses MMagic's classes."""
    from mmagic.models.data_preprocessors import DataPreprocessor
    from mmagic.structures import DataSample

    class IndexableDataSample(DataSample):
        """A stacked ``DataSample`` that can also be read per sample."""

        def __getitem__(self, index: int) -> DataSample:
            return self.split(allow_nonseq_value=True)[index]

    class MMagicBridgeDataPreprocessor(DataPreprocessor):
        def forward(self, data: dict, training: bool = False) -> dict:
            data = super().forward(data, training)
            samples = data.get('data_samples')
            if isinstance(samples, DataSample):
                samples.__class__ = IndexableDataSample
            return data

        @staticmethod
        def destruct(
            images: torch.Tensor, device: Optional[torch.device] = None
        ) -> torch.Tensor:
            """Map RGB float images in [-1, 1] to uint8 BGR in [0, 255].

            Args:
                images (Tensor): ``(N, 3, H, W)`` or ``(3, H, W)`` RGB images.
                device (torch.device, optional): Where to put the result.
                    Defaults to the input's device.

            Returns:
                Tensor: uint8 BGR images of the same shape.
            """
            out = ((images.detach().float() + 1.0) * 127.5).round().clamp_(0, 255)
            out = out.to(torch.uint8).flip(-3).contiguous()
            return out if device is None else out.to(device)

    return MMagicBridgeDataPreprocessor


@MODELS.register_module(name='MMagicDataPreprocessor')
def build_mmagic_data_preprocessor(
    data_keys: Any = ('img_A', 'img_B'),
    mean: float = 127.5,
    std: float = 127.5,
    output_channel_order: str = 'RGB',
    **kwargs: Any,
) -> nn.Module:
    """Build MMagic's ``DataPreprocessor`` adapted to our ``CycleGAN``.

    Registered as ``MMagicDataPreprocessor``; use it as the model's
    ``data_preprocessor`` in configs fed by MMagic's pipeline (``LoadImageFromFile``
    with its default BGR order, ... , ``PackInputs`` with
    ``keys=data_keys=['img_A', 'img_B']``).

    Args:
        data_keys (Sequence[str]): Image keys of the batch, one per domain.
            Defaults to ``('img_A', 'img_B')``, the names our model reads.
        mean (float): Subtracted from [0, 255] pixels. Defaults to 127.5.
        std (float): Divides the centred pixels. Defaults to 127.5, so that
            with the default mean the model sees [-1, 1] as it was trained to.
        output_channel_order (str): Channel order the model sees. Must be
            ``'RGB'``, our models' order. Defaults to ``'RGB'``.
        **kwargs: Other arguments of MMagic's ``DataPreprocessor``.

    Returns:
        nn.Module: The preprocessor (a subclass of MMagic's).

    Raises:
        ValueError: If ``output_channel_order`` is not ``'RGB'`` or a data key
            is not ``img_A`` / ``img_B``.
        ImportError: If MMagic is not installed.
    """
    if output_channel_order != 'RGB':
        raise ValueError(
            'MMagicDataPreprocessor feeds our RGB models: output_channel_order '
            f"must be 'RGB', but got output_channel_order: {output_channel_order!r}"
        )
    keys = [data_keys] if isinstance(data_keys, str) else list(data_keys)
    unknown = [k for k in keys if k not in ('img_A', 'img_B')]
    if unknown:
        raise ValueError(
            f"Our CycleGAN reads 'img_A' and 'img_B', but data_keys has {unknown}: "
            'pack the domains under those names (PackInputs keys and data_keys, '
            "without MMagic's KeyMapper to domain names)."
        )
    try:
        cls = _bridge_class()
    except ImportError as err:
        raise ImportError(
            'MMagicDataPreprocessor needs MMagic 1.2.0; build its environment with '
            f'tools/setup_mmagic_env.sh ({err})'
        ) from err
    return cls(
        mean=mean,
        std=std,
        output_channel_order=output_channel_order,
        data_keys=keys,
        **kwargs,
    )
