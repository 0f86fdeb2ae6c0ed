"""Tools-level helpers: checkpoint conversion and atomic saving."""

from .atomic_save import save_atomic
from .convert_checkpoint import (
    FROM_PLUGIN,
    TO_PLUGIN,
    convert_from_plugin,
    convert_to_plugin,
)
from .junyanz_format import JUNYANZ_ROLES, junyanz_to_plugin, plugin_to_junyanz

__all__ = [
    'FROM_PLUGIN',
    'JUNYANZ_ROLES',
    'TO_PLUGIN',
    'convert_from_plugin',
    'convert_to_plugin',
    'junyanz_to_plugin',
    'plugin_to_junyanz',
    'save_atomic',
]
