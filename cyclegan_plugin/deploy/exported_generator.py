"""A generator file from :func:`export_generator`, run by ONNX Runtime or torch."""

import json
import math
import os.path as osp
from typing import Dict, Literal

import numpy as np
import torch
from torch import Tensor, nn

from .export_generator import METADATA_KEY

__all__ = ['BACKENDS', 'ExportedGenerator']

Backend = Literal['onnxruntime', 'exported-program']
BACKENDS = ('onnxruntime', 'exported-program')


class ExportedGenerator(nn.Module):
    """An exported generator as a module: ``forward(x) -> G(x)``, no weights.

    It stands in for ``model.generators.A`` (or ``.B``) wherever a generator is
    called, so the translate tools run an exported file exactly as they run a
    checkpoint: same padding to :attr:`num_downs`'s multiple, same cropping,
    same file naming.

    Args:
        path (str): A file written by :func:`export_generator`.
        backend (str): 'onnxruntime' for an ``.onnx`` file (needs the
            ``deploy`` extra), 'exported-program' for a ``.pt2`` file.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: For an unknown backend, or a file without this plugin's
            metadata (not written by ``tools/export.py``).
        ImportError: For 'onnxruntime' without the onnxruntime package.
    """

    def __init__(self, path: str, backend: Backend = 'onnxruntime') -> None:
        super().__init__()
        if backend not in BACKENDS:
            raise ValueError(f'backend must be one of {BACKENDS}, but got {backend!r}')
        if not osp.isfile(path):
            raise FileNotFoundError(f'exported generator {path!r} does not exist')
        self.path, self.backend = path, backend
        if backend == 'onnxruntime':
            try:
                import onnxruntime
            except ImportError as err:
                raise ImportError(
                    '--backend onnxruntime needs onnxruntime: '
                    'pip install -e ".[deploy]"'
                ) from err
            try:
                self.session = onnxruntime.InferenceSession(
                    path, providers=['CPUExecutionProvider']
                )
            except Exception as err:  # ORT raises its own exception types
                raise ValueError(
                    f'{path} is not an ONNX model ONNX Runtime can load: {err}'
                ) from None
            raw = self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
        else:
            extra = {f'{METADATA_KEY}.json': ''}
            try:
                self.program = torch.export.load(path, extra_files=extra).module()
            except Exception as err:  # zip, pickle or schema errors
                raise ValueError(
                    f'{path} is not an ExportedProgram torch.export can load: {err}'
                ) from None
            raw = extra[f'{METADATA_KEY}.json'] or None
        if not raw:
            raise ValueError(
                f'{path} has no {METADATA_KEY!r} metadata: export the generator '
                'with tools/export.py'
            )
        self.metadata: Dict = json.loads(raw)
        # As a U-Net's attribute: H and W must be multiples of 2**num_downs.
        self.num_downs = int(math.log2(self.metadata['size_divisor']))

    @property
    def direction(self) -> str:
        """'AtoB' or 'BtoA': what the file translates."""
        return self.metadata['direction']

    def forward(self, x: Tensor) -> Tensor:
        """Translate ``(N, 3, H, W)`` images in [-1, 1] (H, W multiples of 4).

        Args:
            x (Tensor): The batch, on any device.

        Returns:
            Tensor: The translations, float32 on ``x``'s device.
        """
        x = x.float()
        if self.backend == 'exported-program':
            return self.program(x.cpu()).to(x.device)
        (y,) = self.session.run(None, {'image': np.ascontiguousarray(x.cpu().numpy())})
        return torch.from_numpy(y).to(x.device)

    def extra_repr(self) -> str:
        return f'{self.path!r}, backend={self.backend!r}, direction={self.direction}'
