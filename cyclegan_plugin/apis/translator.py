"""Load what translates: a checkpoint's model, or a file from tools/export.py.

Both come back as a model that :func:`~cyclegan_plugin.apis.translate_array`
and :func:`~cyclegan_plugin.apis.translate_images` take, so an exported file
is padded, cropped and converted exactly as the checkpoint it came from.
"""

import os.path as osp
from typing import Dict, Literal, Optional, Tuple, Union

import torch
from mmengine.config import Config

from cyclegan_plugin.deploy import BACKENDS, ExportedModel
from cyclegan_plugin.structures import DIRECTIONS, Direction

from .config import load_config
from .model_loading import init_model

__all__ = ['BACKEND_BY_SUFFIX', 'load_translator', 'translator_directions']

Backend = Literal['pytorch', 'onnxruntime', 'exported-program']
# What tools/export.py writes for each of its formats.
BACKEND_BY_SUFFIX: Dict[str, str] = {'.onnx': 'onnxruntime', '.pt2': 'exported-program'}


def load_translator(
    config: Union[str, Config],
    model_file: str,
    backend: Optional[Backend] = None,
    device: Union[str, torch.device] = 'cpu',
    trust_checkpoint: bool = False,
) -> torch.nn.Module:
    """Load a checkpoint's model, or an exported generator, for translation.

    Args:
        config (str | Config): The config the model was trained with (read
            for a checkpoint only: an exported file carries what it needs).
        model_file (str): A checkpoint (a generator-only file is enough), or an
            ``.onnx`` / ``.pt2`` file from ``tools/export.py``.
        backend (str, optional): ``'pytorch'`` (a checkpoint),
            ``'onnxruntime'`` or ``'exported-program'``. Defaults to None:
            chosen by ``model_file``'s extension (:data:`BACKEND_BY_SUFFIX`,
            anything else is a checkpoint).
        device (str | torch.device): Where a checkpoint's model runs (an
            exported file runs on the CPU). Defaults to ``'cpu'``.
        trust_checkpoint (bool): See :func:`~cyclegan_plugin.apis.load_weights`.
            Defaults to False.

    Returns:
        nn.Module: The model in eval mode; :func:`translator_directions` says
        which directions it translates.

    Raises:
        FileNotFoundError: If ``model_file``, or a checkpoint's config, does
            not exist.
        ValueError: For an unknown backend, a config that is not valid
            Python, and see :func:`~cyclegan_plugin.apis.init_model` and
            :class:`~cyclegan_plugin.deploy.ExportedModel`.
    """
    if backend is None:
        suffix = osp.splitext(model_file)[1].lower()
        backend = BACKEND_BY_SUFFIX.get(suffix, 'pytorch')
    if backend == 'pytorch':
        # load_config: a config with a syntax error is named in one line.
        cfg = load_config(config) if isinstance(config, str) else config
        return init_model(cfg, model_file, device, trust_checkpoint)
    if backend not in BACKENDS:
        raise ValueError(
            f"backend must be 'pytorch' or one of {BACKENDS}, but got {backend!r}"
        )
    return ExportedModel(model_file, backend)


def translator_directions(model: torch.nn.Module) -> Tuple[Direction, ...]:
    """The directions a model translates, in :data:`DIRECTIONS` order.

    Args:
        model (nn.Module): From :func:`load_translator`: a CycleGAN has both
            generators, an exported file the one it was exported with.

    Returns:
        tuple[str, ...]: ``('AtoB', 'BtoA')``, ``('AtoB',)`` or ``('BtoA',)``.
    """
    # generators.A translates A to B (G_A), generators.B B to A: attributes of
    # a CycleGAN's CycleGenerators, keys of an ExportedModel's ModuleDict.
    return tuple(
        d for d in DIRECTIONS if getattr(model.generators, d[0], None) is not None
    )
