"""Tools-level helpers: checkpoint conversion, atomic saving, CPU memory reuse.

Nothing here imports MMagic; ``mmagic_data_preprocessor`` registers a builder
that imports it only when used.
"""

from .atomic_save import save_atomic
from .convert_checkpoint import (
    FROM_PLUGIN,
    TO_PLUGIN,
    convert_from_plugin,
    convert_to_plugin,
)
from .cpu_memory import keep_freed_cpu_memory
from .junyanz_format import JUNYANZ_ROLES, junyanz_to_plugin, plugin_to_junyanz
from .mmagic_format import mmagic_to_plugin, plugin_to_mmagic

__all__ = [
    'FROM_PLUGIN',
    'JUNYANZ_ROLES',
    'TO_PLUGIN',
    'convert_from_plugin',
    'convert_to_plugin',
    'junyanz_to_plugin',
    'keep_freed_cpu_memory',
    'mmagic_to_plugin',
    'plugin_to_junyanz',
    'plugin_to_mmagic',
    'save_atomic',
]
