"""A generator computing in float16 behind a float32 interface, for export."""

import copy

import numpy as np
import torch
from torch import Tensor, nn

__all__ = ['FP16_TOLERANCE', 'HalfPrecisionGenerator', 'onnx_deviation']

# One 8-bit output level of the [-1, 1] range: a float16 file that differs
# from float32 by more than this would change saved images visibly often.
FP16_TOLERANCE = 2 / 255


class HalfPrecisionGenerator(nn.Module):
    """A float16 copy of ``generator`` that takes and returns float32 images.

    Exported with :func:`~cyclegan_plugin.deploy.export_generator` (``fp16``),
    it halves the file and keeps the file's interface: callers feed and read
    float32, the casts are inside the graph.

    Args:
        generator (nn.Module): The float32 generator (copied, not changed).
    """

    def __init__(self, generator: nn.Module) -> None:
        super().__init__()
        self.generator = copy.deepcopy(generator).half()

    def forward(self, images: Tensor) -> Tensor:
        """``(N, 3, H, W)`` float32 in [-1, 1] to float32 translations."""
        return self.generator(images.half()).float()


def onnx_deviation(path: str, generator: nn.Module, size: int, seed: int = 0) -> float:
    """Largest difference between an ONNX file and ``generator`` (float32).

    Both translate the same seeded random ``(1, 3, size, size)`` image in
    [-1, 1]; ONNX Runtime runs the file on the CPU.

    Args:
        path (str): The ONNX file.
        generator (nn.Module): The float32 generator it was exported from.
        size (int): Image side, a multiple of the size divisor.
        seed (int): Seed of the image. Defaults to 0.

    Returns:
        float: Max absolute difference of the translations.
    """
    import onnxruntime

    image = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(seed))
    image = image * 2 - 1
    session = onnxruntime.InferenceSession(path, providers=['CPUExecutionProvider'])
    (output,) = session.run(None, {session.get_inputs()[0].name: image.numpy()})
    with torch.no_grad():
        expected = generator(image).numpy()
    return float(np.abs(output - expected).max())
