"""Python entry points used by ``tools/``."""

from .baselines import score_baseline
from .cli import run_cli
from .config import check_work_dir, load_config
from .inference import translate_array, translate_batch, translate_images
from .inferencer import CycleGANInferencer
from .model_loading import check_device, init_model, load_weights
from .partial_translation_error import PartialTranslationError
from .speed_options import enable_amp, enable_compile, enable_winograd
from .translation_inputs import collect_images

__all__ = [
    'CycleGANInferencer',
    'check_work_dir',
    'PartialTranslationError',
    'check_device',
    'collect_images',
    'enable_amp',
    'enable_compile',
    'enable_winograd',
    'init_model',
    'load_config',
    'load_weights',
    'run_cli',
    'score_baseline',
    'translate_array',
    'translate_batch',
    'translate_images',
]
