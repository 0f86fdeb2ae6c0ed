"""Instance norms that use statistics gathered over a whole image, tile by tile."""

import contextlib
import types
from typing import Dict, Iterator, List, Literal, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['WholeImageNorms']

# (top, bottom, left, right) in input pixels.
Box = Tuple[int, int, int, int]
NormMode = Literal['own', 'whole']


class StopForward(Exception):
    """Raised by the norm a truncated pass stops at."""


class WholeImageNorms:
    """Make a network's instance norms image-wide while it runs on crops.

    Instance norm divides by the statistics of the plane it sees, so a crop of
    an image is normalised differently from the whole image, and tiles
    translated on their own disagree. Inside :meth:`crop`, every
    ``nn.InstanceNorm2d`` of the network (our fused variant included) adds
    the sum and sum of squares of its input over the crop's *core* (the part
    of the image the crop is responsible for; the cores of all crops
    partition the image) to running totals, and normalises with the
    statistics of ``mode``:

    - ``'own'``: the crop's own, as the plain network does;
    - ``'whole'``: the whole-image estimates in :attr:`stats`
      (:meth:`next_pass` turns this pass's totals into them).

    A norm's totals are exact when every norm before it normalised with exact
    statistics (and each crop's context covers the receptive field), so
    exact statistics take one pass per norm, in the order the norms run
    (:attr:`order`, known after the first crop), each pass stopping at the
    norm it measures (``stop_at``).

    Args:
        network (nn.Module): The generator. Norms with running statistics
            (eval-mode batch norm) are image-independent already and left
            alone.

    Raises:
        ValueError: If the network has other per-image norms (group or layer
            norm), whose statistics this cannot carry over.
    """

    def __init__(self, network: nn.Module) -> None:
        others = [
            type(m).__name__
            for m in network.modules()
            if isinstance(m, (nn.GroupNorm, nn.LayerNorm, nn.LocalResponseNorm))
        ]
        if others:
            raise ValueError(
                f'tiled translation keeps instance norms image-wide, but the '
                f'generator also has {sorted(set(others))}; translate whole images.'
            )
        self.norms: List[nn.InstanceNorm2d] = [
            m
            for m in network.modules()
            if isinstance(m, nn.InstanceNorm2d) and not m.track_running_stats
        ]
        self.stats: Dict[nn.Module, Tuple[Tensor, Tensor]] = {}
        self.order: List[nn.Module] = []
        self._totals: Dict[nn.Module, List] = {}
        self._mode: NormMode = 'own'
        self._crop: Optional[Tuple[Box, Box]] = None
        self._stop: Optional[nn.Module] = None
        self._seen: set = set()
        self._collect = True

    @contextlib.contextmanager
    def crop(
        self,
        crop_box: Box,
        core_box: Box,
        mode: NormMode,
        stop_at: Optional[nn.Module] = None,
        collect: bool = True,
    ) -> Iterator[None]:
        """Run the network on one crop, adding its core to the totals.

        Args:
            crop_box (tuple): ``(top, bottom, left, right)`` of the crop in
                the image, in pixels of the network's input.
            core_box (tuple): The core, inside ``crop_box``.
            mode (str): ``'own'`` or ``'whole'`` statistics.
            stop_at (nn.Module, optional): End the forward pass (silently)
                once this norm has added its totals. Defaults to None.
            collect (bool): Add to the totals (False for a pass that only
                uses the statistics). Defaults to True.

        Raises:
            RuntimeError: With ``'whole'``, if a norm reached has no estimate.
            ValueError: If one norm module runs twice in a forward pass.
        """
        self._mode, self._crop, self._stop = mode, (crop_box, core_box), stop_at
        self._collect = collect
        self._seen = set()
        for norm in self.norms:
            norm.forward = types.MethodType(self._forward, norm)
        try:
            yield
        except StopForward:
            pass
        finally:
            for norm in self.norms:
                del norm.forward
            self._crop = self._stop = None

    def discard_pass(self) -> None:
        """Forget this pass's totals (e.g. of a run that only found the order)."""
        self._totals = {}

    def next_pass(self) -> None:
        """Turn this pass's totals into the estimates :attr:`stats`."""
        for norm, (total, squares, count) in self._totals.items():
            mean = total / count
            var = (squares / count - mean**2).clamp_min(0)
            self.stats[norm] = (mean, var)
        self._totals = {}

    def _forward(self, norm: nn.InstanceNorm2d, x: Tensor) -> Tensor:
        if norm in self._seen:
            raise ValueError(
                'a norm module runs twice in one forward pass; tiled translation '
                'needs each instance norm to run once'
            )
        self._seen.add(norm)
        if norm not in self.order:
            self.order.append(norm)
        (top, bottom, left, right), (y0, y1, x0, x1) = self._crop
        rows = _scaled(y0 - top, y1 - top, x.shape[-2] / (bottom - top))
        cols = _scaled(x0 - left, x1 - left, x.shape[-1] / (right - left))
        if self._collect and (self._stop is None or norm is self._stop):
            core = x[..., rows[0] : rows[1], cols[0] : cols[1]].double()
            sums = self._totals.setdefault(norm, [0, 0, 0])
            sums[0] = sums[0] + core.sum((2, 3))
            sums[1] = sums[1] + (core**2).sum((2, 3))
            sums[2] = sums[2] + core.shape[-2] * core.shape[-1]
        if norm is self._stop:
            raise StopForward
        if self._mode == 'own':
            return type(norm).forward(norm, x)
        if norm not in self.stats:
            raise RuntimeError('a norm has no whole-image statistics yet')
        mean, var = (s.to(x.dtype)[..., None, None] for s in self.stats[norm])
        y = (x - mean) * torch.rsqrt(var + norm.eps)
        if norm.affine:
            y = y * norm.weight[:, None, None] + norm.bias[:, None, None]
        return F.relu(y) if getattr(norm, 'relu', False) else y


def _scaled(start: int, stop: int, scale: float) -> Tuple[int, int]:
    """Input-pixel offsets at a layer ``scale`` times the input's size."""
    begin, end = start * scale, stop * scale
    if begin != int(begin) or end != int(end):
        raise ValueError(
            f'tile offsets {start}..{stop} do not fall on whole pixels of a layer '
            f'at {scale:g}x the input size; use tile sizes and overlaps that are '
            'multiples of the generator size divisor.'
        )
    return int(begin), int(end)
