"""Training pictures: image grids, the HTML snapshot page, scalar-log curves."""

from .html_gallery import HTMLGallery
from .image_grid import make_grid

__all__ = ['HTMLGallery', 'make_grid']
