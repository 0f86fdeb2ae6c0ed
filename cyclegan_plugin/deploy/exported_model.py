"""An exported generator in the shape of a model the translate API takes."""

from torch import Tensor, nn

from cyclegan_plugin.models.data_preprocessors import CycleGANDataPreprocessor
from cyclegan_plugin.structures import check_direction

from .exported_generator import Backend, ExportedGenerator

__all__ = ['ExportedModel']


class ExportedModel(nn.Module):
    """What :func:`~cyclegan_plugin.apis.translate_images` needs of a model.

    The data preprocessor's uint8 <-> [-1, 1] conversion and one generator,
    ``generators.A`` for an AtoB file or ``generators.B`` for BtoA, so an
    exported file translates folders exactly as the checkpoint it came from.

    Args:
        path (str): A file written by ``tools/export.py``.
        backend (str): 'onnxruntime' or 'exported-program'.

    Raises:
        See :class:`ExportedGenerator`.
    """

    def __init__(self, path: str, backend: Backend = 'onnxruntime') -> None:
        super().__init__()
        generator = ExportedGenerator(path, backend)
        self.direction = generator.direction
        self.data_preprocessor = CycleGANDataPreprocessor()
        self.generators = nn.ModuleDict({self.direction[0]: generator})

    def translate(self, x: Tensor, direction: str = 'AtoB') -> Tensor:
        """``G(x)`` for the file's direction.

        Raises:
            ValueError: If ``direction`` is not the file's.
        """
        if check_direction(direction) != self.direction:
            raise ValueError(
                f'{self.generators[self.direction[0]].path} translates '
                f'{self.direction} only; export the {direction} generator with '
                f'tools/export.py --direction {direction}'
            )
        return self.generators[self.direction[0]](x)
