"""Load a trained model for inference: weights without pickled code, device checks."""

from typing import Optional, Union

import torch
from mmengine.config import Config

from cyclegan_plugin.engine.runner import check_model_state_dict
from cyclegan_plugin.models.weights import load_weights_file
from cyclegan_plugin.registry import MODELS, build_in_scope


def load_weights(checkpoint: str, trust_checkpoint: bool = False) -> dict:
    """Read a checkpoint's ``state_dict`` without running pickled code.

    Args:
        checkpoint (str): Plugin or MMEngine checkpoint file.
        trust_checkpoint (bool): Allow full unpickling (only for files from a
            source you trust). Defaults to False.

    Returns:
        dict: Parameter name → tensor.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is empty, not a torch file or damaged, or needs
            unpickling and ``trust_checkpoint`` is off.
        RuntimeError: If it holds no state_dict.
    """
    ckpt = load_weights_file(checkpoint, trust=trust_checkpoint)
    state = ckpt.get('state_dict', ckpt)
    if not isinstance(state, dict):
        raise RuntimeError(f'{checkpoint!r} holds no state_dict.')
    return {
        k[len('module.') :] if k.startswith('module.') else k: v
        for k, v in state.items()
    }


def init_model(
    config: Union[str, Config],
    checkpoint: Optional[str] = None,
    device: Union[str, torch.device] = 'cpu',
    trust_checkpoint: bool = False,
) -> torch.nn.Module:
    """Build the config's model and load a checkpoint for inference.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): Weights; a generator-only file suffices.
        device (str | torch.device): Defaults to ``'cpu'``.
        trust_checkpoint (bool): See :func:`load_weights`.

    Returns:
        nn.Module: The model in eval mode.

    Raises:
        RuntimeError: If ``device`` is a CUDA device that is not available
            (see :func:`check_device`), before anything is built.
    """
    check_device(device)
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = build_in_scope(MODELS, cfg.model)
    if checkpoint is not None:
        state = load_weights(checkpoint, trust_checkpoint)
        check_model_state_dict(model, state, source=checkpoint)
        model.load_state_dict(state, strict=False)
    return model.to(device).eval()


def check_device(device: Union[str, torch.device]) -> torch.device:
    """The device to run on, refused early when it is not there.

    Args:
        device (str | torch.device): E.g. ``'cpu'``, ``'cuda'``, ``'cuda:1'``.

    Returns:
        torch.device: The parsed device.

    Raises:
        ValueError: If the string names no device type.
        RuntimeError: If it is a CUDA device and that GPU is not available.
    """
    try:
        parsed = torch.device(device)
    except RuntimeError as err:
        raise ValueError(
            f"device {str(device)!r} is not a device name; use 'cpu' or 'cuda' "
            "(or 'cuda:N')."
        ) from err
    if parsed.type == 'cuda':
        if not torch.cuda.is_available():
            raise RuntimeError(
                f'device {str(device)!r}: no CUDA device is available here; use '
                "--device cpu (Python: device='cpu')."
            )
        count = torch.cuda.device_count()
        if parsed.index is not None and parsed.index >= count:
            raise RuntimeError(
                f'device {str(device)!r}: there is no CUDA device {parsed.index} '
                f'({count} available: cuda:0 to cuda:{count - 1}).'
            )
    return parsed
