"""A generator run on overlapping tiles, for images larger than memory allows."""

import contextlib
import itertools
from typing import List, Optional, Tuple

import torch
from torch import Tensor, nn

from .export_generator import size_divisor
from .whole_image_norms import Box, WholeImageNorms

__all__ = ['TiledGenerator']

# (start, stop) of a tile's core and of its crop along one axis.
Span = Tuple[Tuple[int, int], Tuple[int, int]]


class TiledGenerator(nn.Module):
    """Translate an image in tiles of at most ``tile_size`` pixels a side.

    The image is cut into *cores* that partition it; each core is translated
    inside a crop ``overlap`` pixels larger on every side (clipped at the
    image border, where the generator pads as it does for the whole image),
    and neighbouring outputs are cross-faded over a band ``overlap`` wide
    centred on their common border, so no seam shows. A pixel's output then
    comes from at least ``overlap / 2`` pixels inside its crop.

    Instance norm is what makes tiles differ most from the whole image: each
    tile would be normalised by its own statistics. So the norms use
    whole-image statistics (:class:`WholeImageNorms`), by default exact: one
    tiled pass per norm, each stopping at the norm it measures, so the cost
    is about half a full pass per norm (less for the later, smaller layers'
    share). The output then matches whole-image inference to float
    tolerance once ``overlap / 2`` covers the generator's receptive field;
    ``docs/deployment.md`` has measured figures for smaller overlaps and for
    the cheaper ``stat_passes`` estimate.

    Memory is that of the generator on one ``tile_size`` crop plus the input
    and output images themselves; the input may stay on the CPU while the
    generator runs on a GPU.

    Args:
        generator (nn.Module): Maps ``(N, 3, H, W)`` to ``(N, 3, H, W)``.
        tile_size (int): Largest crop side the generator sees, a multiple of
            its size divisor (:func:`size_divisor`). Defaults to 512.
        overlap (int): Context on each side of a core, a multiple of the
            size divisor, below half of ``tile_size``. Defaults to 128.
        stat_passes (int, optional): None for exact statistics; otherwise
            this many full tiled passes estimate them, the first from each
            tile's own statistics, each next from the last (0: every tile
            uses its own statistics, as naive tiling does). Defaults to None.

    Raises:
        ValueError: If a size is not a multiple of the size divisor, the
            overlap leaves no core, or ``stat_passes < 0``.
    """

    def __init__(
        self,
        generator: nn.Module,
        tile_size: int = 512,
        overlap: int = 128,
        stat_passes: Optional[int] = None,
    ) -> None:
        super().__init__()
        self.generator = generator
        self.divisor = size_divisor(generator)
        for name, value in dict(tile_size=tile_size, overlap=overlap).items():
            if value < 0 or value % self.divisor or (value == 0 and name != 'overlap'):
                raise ValueError(
                    f'{name} must be a positive multiple of {self.divisor} (the '
                    f'generator size divisor), but got {value}'
                )
        if tile_size - 2 * overlap < self.divisor:
            raise ValueError(
                f'overlap {overlap} on both sides leaves nothing of a {tile_size}-px '
                f'tile: use an overlap below {tile_size // 2} or a larger tile size'
            )
        if stat_passes is not None and stat_passes < 0:
            raise ValueError(f'stat_passes must be >= 0, but got {stat_passes}')
        self.tile_size, self.overlap = tile_size, overlap
        self.stat_passes = stat_passes

    @torch.no_grad()
    def forward(self, images: Tensor) -> Tensor:
        """Translate a batch of images.

        Args:
            images (Tensor): ``(N, 3, H, W)`` in [-1, 1], H and W multiples
                of the size divisor; on any device.

        Returns:
            Tensor: ``(N, 3, H, W)`` translations, on the input's device.

        Raises:
            ValueError: If H or W is not a multiple of the size divisor.
        """
        h, w = images.shape[-2:]
        if h % self.divisor or w % self.divisor:
            raise ValueError(
                f'image size {w}x{h} is not a multiple of {self.divisor}; pad it first'
            )
        device = _device(self.generator, images)
        if max(h, w) <= self.tile_size:
            return self.generator(images.to(device)).to(images.device)
        row_spans, col_spans = self._spans(h), self._spans(w)
        tiles = list(itertools.product(row_spans, col_spans))
        norms = WholeImageNorms(self.generator)
        mode = 'own'
        if norms.norms:
            mode = 'whole'
            if self.stat_passes is None:
                self._exact_statistics(images, tiles, norms, device)
            else:
                for i in range(self.stat_passes):
                    for rows, cols in tiles:
                        with norms.crop(*_boxes(rows, cols), 'whole' if i else 'own'):
                            self.generator(_cut(images, rows, cols).to(device))
                    norms.next_pass()
                mode = 'whole' if self.stat_passes else 'own'
        out = torch.zeros_like(images, dtype=torch.float32)
        row_weights = dict(zip(row_spans, self._weights(row_spans, h)))
        col_weights = dict(zip(col_spans, self._weights(col_spans, w)))
        for rows, cols in tiles:
            context = (
                norms.crop(*_boxes(rows, cols), mode, collect=False)
                if norms.norms
                else contextlib.nullcontext()
            )
            with context:
                y = self.generator(_cut(images, rows, cols).to(device))
            weight = row_weights[rows][:, None] * col_weights[cols][None]
            (top, bottom), (left, right) = rows[1], cols[1]
            out[..., top:bottom, left:right] += y.float().to(out.device) * weight.to(
                out.device
            )
        return out.to(images.dtype)

    def _spans(self, length: int) -> List[Span]:
        """Cores of near-equal size partitioning ``length``, and their crops."""
        if length <= self.tile_size:
            return [((0, length), (0, length))]
        units, core_units = (
            length // self.divisor,
            (self.tile_size - 2 * self.overlap) // self.divisor,
        )
        count = -(-units // core_units)
        cuts = [i * units // count * self.divisor for i in range(count + 1)]
        spans = []
        for start, stop in zip(cuts, cuts[1:]):
            crop = (max(0, start - self.overlap), min(length, stop + self.overlap))
            spans.append(((start, stop), crop))
        return spans

    def _weights(self, spans: List[Span], length: int) -> List[Tensor]:
        """Cross-fade weights of each crop along one axis, summing to 1."""
        total = torch.zeros(length, dtype=torch.float64)
        weights = []
        half = self.overlap / 2
        for (start, stop), (crop_start, crop_stop) in spans:
            centres = torch.arange(crop_start, crop_stop, dtype=torch.float64) + 0.5
            weight = torch.ones_like(centres)
            if self.overlap:
                if start > 0:
                    weight = weight.minimum((centres - start + half) / self.overlap)
                if stop < length:
                    weight = weight.minimum((stop + half - centres) / self.overlap)
            weight = weight.clamp(0, 1)
            total[crop_start:crop_stop] += weight
            weights.append(weight)
        # Bands of narrow cores can overlap; dividing by the sum keeps the
        # blend a weighted mean everywhere.
        return [
            (weight / total[crop[0] : crop[1]]).float()
            for weight, (_, crop) in zip(weights, spans)
        ]

    def _exact_statistics(
        self,
        images: Tensor,
        tiles: List[Tuple[Span, Span]],
        norms: WholeImageNorms,
        device: torch.device,
    ) -> None:
        """Each norm's whole-image statistics, one pass per norm in run order."""
        # One crop in full shows the order the norms run in.
        with norms.crop(*_boxes(*tiles[0]), 'own'):
            self.generator(_cut(images, *tiles[0]).to(device))
        norms.discard_pass()
        for norm in norms.order:
            for rows, cols in tiles:
                with norms.crop(*_boxes(rows, cols), 'whole', stop_at=norm):
                    self.generator(_cut(images, rows, cols).to(device))
            norms.next_pass()


def _device(generator: nn.Module, images: Tensor) -> torch.device:
    first = next(itertools.chain(generator.parameters(), generator.buffers()), None)
    return first.device if first is not None else images.device


def _cut(images: Tensor, rows: Span, cols: Span) -> Tensor:
    (top, bottom), (left, right) = rows[1], cols[1]
    return images[..., top:bottom, left:right]


def _boxes(rows: Span, cols: Span) -> Tuple[Box, Box]:
    """The crop's and the core's ``(top, bottom, left, right)``."""
    return rows[1] + cols[1], rows[0] + cols[0]
