"""Export one trained generator to ONNX or a torch.export ExportedProgram."""

import json
import os
import os.path as osp
import warnings
from typing import Dict, Literal

import torch
from torch import nn

from cyclegan_plugin.fileio import atomic_path
from cyclegan_plugin.structures import check_direction

from .half_precision_generator import (
    FP16_TOLERANCE,
    HalfPrecisionGenerator,
    onnx_deviation,
)

__all__ = ['EXPORT_FORMATS', 'METADATA_KEY', 'export_generator', 'size_divisor']

ExportFormat = Literal['onnx', 'exported-program']
EXPORT_FORMATS = ('onnx', 'exported-program')
# The key of the JSON metadata in an exported file: an ONNX metadata_props
# entry, or an extra file of the ExportedProgram archive.
METADATA_KEY = 'cyclegan_plugin'


def size_divisor(generator: nn.Module) -> int:
    """What input heights and widths must be multiples of.

    A ResNet generator halves them twice, a U-Net ``num_downs`` times.
    """
    return 2 ** int(getattr(generator, 'num_downs', 2))


def _metadata(generator: nn.Module, direction: str, fmt: str, dynamic: bool) -> Dict:
    return dict(
        format=fmt,
        direction=direction,
        generator=type(generator).__name__,
        input='image',
        output='translation',
        layout='NCHW',
        channels='RGB',
        value_range=[-1.0, 1.0],
        dtype='float32',
        size_divisor=size_divisor(generator),
        dynamic=dynamic,
    )


def export_generator(
    generator: nn.Module,
    out: str,
    direction: str,
    fmt: ExportFormat = 'onnx',
    dynamic: bool = True,
    opset: int = 18,
    example_size: int = 64,
    fp16: bool = False,
) -> str:
    """Write ``generator`` as a self-describing file for deployment.

    The file computes ``translation = G(image)`` on float32 ``(N, 3, H, W)`` RGB
    images in [-1, 1] (``x / 127.5 - 1``), and records that convention, the
    direction and the size rule as JSON metadata (:data:`METADATA_KEY`). With
    ``dynamic`` the batch size, H and W are free, H and W multiples of
    :func:`size_divisor` (4 for a ResNet generator; the translate tools pad
    to it and crop back); otherwise the file takes only the example's shape.

    ONNX uses PyTorch's dynamo exporter (opset >= 18); ``'exported-program'``
    is ``torch.export`` saved with ``torch.export.save`` (a ``.pt2`` archive,
    loaded with ``torch.export.load``). The file is written atomically.

    Args:
        generator (nn.Module): A generator with PyTorch's own layers (not
            converted to the CPU kernels), e.g. ``model.generators.A``.
        out (str): Output file.
        direction (str): 'AtoB' or 'BtoA', what the generator translates.
        fmt (str): 'onnx' or 'exported-program'. Defaults to 'onnx'.
        dynamic (bool): Free batch size and image size. Defaults to True.
        opset (int): ONNX opset, >= 18. Defaults to 18.
        example_size (int): Side of the example images traced. Defaults to 64.
        fp16 (bool): ONNX only: weights and computation in float16 behind the
            float32 interface (:class:`HalfPrecisionGenerator`), written only
            if ONNX Runtime's output stays within :data:`FP16_TOLERANCE` of
            the float32 generator's at ``example_size`` (and at twice it).
            Defaults to False.

    Returns:
        str: ``out``.

    Raises:
        ValueError: For an unknown format, an opset below 18, an example
            size that is not a positive multiple of the size divisor, fp16
            with the ExportedProgram format, or an fp16 file beyond the
            tolerance (nothing is written then).
        ImportError: For ONNX without the onnx/onnxscript packages (the
            ``deploy`` extra).
    """
    direction = check_direction(direction)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f'format must be one of {EXPORT_FORMATS}, but got {fmt!r}')
    if fmt == 'onnx' and opset < 18:
        raise ValueError(
            f'opset must be >= 18 (the dynamo ONNX exporter), but got {opset}'
        )
    if fp16 and fmt != 'onnx':
        raise ValueError("fp16 export is checked for format 'onnx' only")
    divisor = size_divisor(generator)
    if example_size < divisor or example_size % divisor:
        raise ValueError(
            f'example_size must be a positive multiple of {divisor}, but got '
            f'{example_size}'
        )
    modules = generator.modules()
    if any(type(m).__module__.startswith('cyclegan_plugin.ops') for m in modules):
        raise ValueError(
            'the generator uses the CPU kernels (model.cpu_kernels=True); export '
            'one built without them (same weights)'
        )
    generator = generator.eval().float().cpu()
    # Batch 2: torch.export specialises a size-1 dimension to a constant.
    example = (torch.zeros(2, 3, example_size, example_size),)
    shapes = None
    if dynamic:
        blocks_h = torch.export.Dim('height_blocks', min=1, max=8192 // divisor)
        blocks_w = torch.export.Dim('width_blocks', min=1, max=8192 // divisor)
        batch = torch.export.Dim('batch', min=1, max=1024)
        shapes = ({0: batch, 2: divisor * blocks_h, 3: divisor * blocks_w},)
    metadata = _metadata(generator, direction, fmt, dynamic)
    metadata['weights_dtype'] = 'float16' if fp16 else 'float32'
    metadata = json.dumps(metadata)
    module = HalfPrecisionGenerator(generator) if fp16 else generator
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        if fmt == 'exported-program':
            program = torch.export.export(generator, example, dynamic_shapes=shapes)
            with atomic_path(out) as tmp:
                torch.export.save(
                    program, tmp, extra_files={f'{METADATA_KEY}.json': metadata}
                )
            return out
        try:
            import onnxscript  # noqa: F401  (the dynamo exporter needs it)
        except ImportError as err:
            raise ImportError(
                'ONNX export needs onnx and onnxscript: pip install -e ".[deploy]"'
            ) from err
        program = torch.onnx.export(
            module,
            example,
            dynamo=True,
            dynamic_shapes=shapes,
            input_names=['image'],
            output_names=['translation'],
            opset_version=opset,
            verbose=False,
        )
    program.model.metadata_props[METADATA_KEY] = metadata
    with atomic_path(out) as tmp:
        program.save(tmp)
        if fp16:
            sizes = (example_size, 2 * example_size)
            worst = max(onnx_deviation(tmp, generator, s) for s in sizes)
            if worst > FP16_TOLERANCE:
                raise ValueError(
                    f'the fp16 file differs from float32 by up to {worst:.4f} '
                    f'(tolerance {FP16_TOLERANCE:.4f}, one 8-bit level); export '
                    'without --fp16'
                )
    return out
