"""Checkpoint converters between the plugin and other code bases, one per format.

- :mod:`.junyanz`: the CycleGAN authors' per-network files;
- :mod:`.mmagic`: MMagic 1.2.0's CycleGAN checkpoints.

:mod:`.convert` dispatches by format name and writes the files (what
``tools/convert_checkpoint.py`` runs); :mod:`.state_dicts` holds what the
formats share. Nothing here imports MMagic.
"""

from .convert import FROM_PLUGIN, TO_PLUGIN, convert_from_plugin, convert_to_plugin
from .junyanz import JUNYANZ_ROLES, junyanz_to_plugin, plugin_to_junyanz
from .mmagic import MMAGIC_FILE_NAME, mmagic_to_plugin, plugin_to_mmagic

__all__ = [
    'FROM_PLUGIN',
    'JUNYANZ_ROLES',
    'MMAGIC_FILE_NAME',
    'TO_PLUGIN',
    'convert_from_plugin',
    'convert_to_plugin',
    'junyanz_to_plugin',
    'mmagic_to_plugin',
    'plugin_to_junyanz',
    'plugin_to_mmagic',
]
