"""Checks that a checkpoint was made for a model before loading it."""

from typing import Dict, Sequence

import torch
import torch.nn as nn

from cyclegan_plugin.models.weights import check_state_dict

# Keys a checkpoint may lack and still load: e.g. a generator-only file for
# inference (for CUT also without its patch sampler F, which only training
# uses), or one without image-buffer history.
OPTIONAL_PREFIXES = ('discriminators.', 'image_buffers.', 'generators.F.')


def check_model_state_dict(
    model: nn.Module,
    state_dict: Dict[str, torch.Tensor],
    source: str = 'checkpoint',
    optional_prefixes: Sequence[str] = OPTIONAL_PREFIXES,
) -> None:
    """Raise if ``state_dict`` does not fit ``model``.

    Every key of the model must be present (except under
    ``optional_prefixes``), no key may be foreign, and shapes must agree.

    Args:
        model (nn.Module): The model to load into.
        state_dict (dict): Keys → tensors (``module.`` prefixes are ignored).
        source (str): Name of the file, for the message.
        optional_prefixes (Sequence[str]): Model keys that may be missing.

    Raises:
        RuntimeError: Listing missing and unexpected keys and shape
            mismatches, and saying what to do.
    """
    expected = {
        k: v for k, v in model.state_dict().items() if isinstance(v, torch.Tensor)
    }
    given = {
        (k[len('module.') :] if k.startswith('module.') else k): v
        for k, v in state_dict.items()
        if isinstance(v, torch.Tensor)
    }
    for key in expected.keys() - given.keys():
        if key.startswith(tuple(optional_prefixes)):
            given[key] = expected[key]
    try:
        check_state_dict(expected, given, source, type(model).__name__)
    except ValueError as e:
        raise RuntimeError(
            f'{e}\nUse the config the checkpoint was trained with (the same '
            'num_blocks / base_channels / norm), or convert it with '
            'tools/convert_checkpoint.py.'
        ) from e
