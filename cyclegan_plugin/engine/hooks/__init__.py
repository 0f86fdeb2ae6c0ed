"""Training and testing hooks (registered in ``HOOKS``)."""

from .deadline_hook import DeadlineHook
from .resume_state_hook import ResumeStateHook
from .robust_checkpoint_hook import RobustCheckpointHook
from .save_translations_hook import SaveTranslationsHook
from .translation_visualization_hook import TranslationVisualizationHook

__all__ = [
    'DeadlineHook',
    'ResumeStateHook',
    'RobustCheckpointHook',
    'SaveTranslationsHook',
    'TranslationVisualizationHook',
]
