"""Runner with atomic checkpoints and exact, safe resume."""

from .robust_runner import RobustRunner
from .state_dict_check import check_model_state_dict

__all__ = ['RobustRunner', 'check_model_state_dict']
