"""Checks that a state dict was made for a model before loading it."""

from typing import Dict, List, Sequence

import torch
import torch.nn as nn

# Keys a checkpoint may lack and still load: e.g. a generator-only file for
# inference, or one without image-buffer history.
OPTIONAL_PREFIXES = ('discriminators.', 'image_buffers.')


def check_state_dict(
    model: nn.Module,
    state_dict: Dict[str, torch.Tensor],
    source: str = 'checkpoint',
    optional_prefixes: Sequence[str] = OPTIONAL_PREFIXES,
) -> None:
    """Raise if ``state_dict`` does not fit ``model``.

    Args:
        model (nn.Module): The model to load into.
        state_dict (dict): Keys → tensors (``module.`` prefixes are ignored).
        source (str): Name of the file, for the message.
        optional_prefixes (Sequence[str]): Model keys that may be missing.

    Raises:
        RuntimeError: Listing missing and unexpected keys and shape
            mismatches, and saying which config fits.
    """
    expected = model.state_dict()
    given = {
        k[len('module.') :] if k.startswith('module.') else k: v
        for k, v in state_dict.items()
    }
    missing = [
        k
        for k in expected
        if k not in given
        and not k.startswith(tuple(optional_prefixes))
        and not k.endswith('_extra_state')
    ]
    unexpected = [k for k in given if k not in expected]
    shapes: List[str] = [
        f'{k}: checkpoint {tuple(given[k].shape)} vs model {tuple(expected[k].shape)}'
        for k in given
        if k in expected
        and isinstance(given[k], torch.Tensor)
        and isinstance(expected[k], torch.Tensor)
        and given[k].shape != expected[k].shape
    ]
    if not (missing or unexpected or shapes):
        return

    def _few(items: List[str]) -> str:
        more = f' ... and {len(items) - 10} more' if len(items) > 10 else ''
        return ', '.join(items[:10]) + more

    lines = [f'{source} does not fit {type(model).__name__}:']
    if missing:
        lines.append(f'  missing keys ({len(missing)}): {_few(missing)}')
    if unexpected:
        lines.append(f'  unexpected keys ({len(unexpected)}): {_few(unexpected)}')
    if shapes:
        lines.append(f'  shape mismatches ({len(shapes)}): {_few(shapes)}')
    lines.append(
        'Use the config the checkpoint was trained with (e.g. the '
        'same num_blocks / base_channels / norm), or convert it with '
        'tools/convert_checkpoint.py.'
    )
    raise RuntimeError('\n'.join(lines))
