"""Training pictures: image grids, the HTML snapshot page, scalar-log curves."""

from .html_gallery import HTMLGallery
from .image_grid import make_grid
from .scalar_logs import (
    find_scalar_logs,
    load_baseline,
    load_scalars,
    moving_average,
    plot_curves,
)

__all__ = [
    'HTMLGallery',
    'make_grid',
    'find_scalar_logs',
    'load_baseline',
    'load_scalars',
    'moving_average',
    'plot_curves',
]
