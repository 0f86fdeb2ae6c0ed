"""Training and testing hooks (registered in ``HOOKS``)."""

from .random_state_hook import RandomStateHook
from .save_translations_hook import SaveTranslationsHook
from .translation_visualization_hook import TranslationVisualizationHook

__all__ = ['RandomStateHook', 'SaveTranslationsHook', 'TranslationVisualizationHook']
