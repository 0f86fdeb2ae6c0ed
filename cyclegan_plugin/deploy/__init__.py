"""Deployment: generators exported to ONNX / torch.export, and running them."""

from .export_generator import (
    EXPORT_FORMATS,
    METADATA_KEY,
    export_generator,
    size_divisor,
)
from .exported_generator import BACKENDS, ExportedGenerator
from .exported_model import ExportedModel
from .half_precision_generator import FP16_TOLERANCE, HalfPrecisionGenerator
from .tiled_generator import TiledGenerator
from .whole_image_norms import WholeImageNorms

__all__ = [
    'BACKENDS',
    'EXPORT_FORMATS',
    'METADATA_KEY',
    'ExportedGenerator',
    'ExportedModel',
    'FP16_TOLERANCE',
    'HalfPrecisionGenerator',
    'TiledGenerator',
    'WholeImageNorms',
    'export_generator',
    'size_divisor',
]
