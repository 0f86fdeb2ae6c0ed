"""Image history buffers."""

from .image_buffer import ImageBuffer

__all__ = ['ImageBuffer']
