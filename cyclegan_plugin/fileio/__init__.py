"""Writing output files safely: atomically, and never onto inputs or old files."""

from .atomic import (
    atomic_path,
    save_atomic,
    temp_name,
    write_atomic,
    write_image_atomic,
)
from .output_checks import check_new_outputs, check_outside_inputs

__all__ = [
    'atomic_path',
    'check_new_outputs',
    'check_outside_inputs',
    'save_atomic',
    'temp_name',
    'write_atomic',
    'write_image_atomic',
]
