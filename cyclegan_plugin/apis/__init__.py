"""Python entry points used by ``tools/``."""

from .config import enable_amp, load_config
from .inference import (
    collect_images,
    init_model,
    load_weights,
    translate_array,
    translate_batch,
    translate_images,
)

__all__ = [
    'collect_images',
    'enable_amp',
    'init_model',
    'load_config',
    'load_weights',
    'translate_array',
    'translate_batch',
    'translate_images',
]
