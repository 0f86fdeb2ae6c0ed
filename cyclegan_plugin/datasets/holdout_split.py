"""A fixed part of a folder's images set aside, e.g. to choose settings on."""

import hashlib
import os
from typing import List, Literal, Sequence

__all__ = ['HoldoutSplit']

PARTS = ('rest', 'holdout')


class HoldoutSplit:
    """Split a folder's images into a held-out part and the rest, by file name.

    A file is held out when a hash of its path relative to the folder falls
    below ``fraction``: the split depends on nothing but the names, so it is
    the same on every machine, under every seed and in every process, and
    adding or removing files moves no other file across. The two parts of a
    folder are disjoint and together hold every file. Typical use: train on
    ``part='rest'`` of the training images and validate on ``part='holdout'``
    of the same folders, so that settings are chosen without the test set.

    Args:
        fraction (float): Share of the files held out, in (0, 1); the count is
            about ``fraction * N``, not exactly.
        part (str): ``'rest'`` (the files not held out) or ``'holdout'``.
            Defaults to ``'rest'``.

    Raises:
        ValueError: If ``fraction`` is not in (0, 1) or ``part`` is unknown.
    """

    def __init__(
        self, fraction: float, part: Literal['rest', 'holdout'] = 'rest'
    ) -> None:
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)):
            raise ValueError(f'holdout.fraction must be a number, got {fraction!r}')
        if not 0 < fraction < 1:
            raise ValueError(
                f'holdout.fraction must be in (0, 1), got {fraction}; e.g. 0.1 '
                'holds out about a tenth of the images.'
            )
        if part not in PARTS:
            raise ValueError(f"holdout.part must be 'rest' or 'holdout', got {part!r}")
        self.fraction = float(fraction)
        self.part = part

    @classmethod
    def from_cfg(cls, cfg: dict) -> 'HoldoutSplit':
        """Build from a dataset's ``holdout`` argument, naming unknown keys.

        Args:
            cfg (dict): ``dict(fraction=..., part=...)``.

        Returns:
            HoldoutSplit: The split.

        Raises:
            ValueError: If ``cfg`` is not a dict, lacks ``fraction`` or has
                other keys.
        """
        if not isinstance(cfg, dict) or 'fraction' not in cfg:
            raise ValueError(
                "holdout must be a dict like dict(fraction=0.1, part='rest'), "
                f'got {cfg!r}'
            )
        unknown = sorted(set(cfg) - {'fraction', 'part'})
        if unknown:
            raise ValueError(
                f'holdout has no key {unknown[0]!r}; its keys are fraction, part'
            )
        return cls(**cfg)

    def is_held_out(self, relpath: str) -> bool:
        """Whether the file at ``relpath`` (relative to its folder) is held out."""
        name = relpath.replace(os.sep, '/').encode('utf-8', 'surrogateescape')
        draw = int.from_bytes(hashlib.sha256(name).digest()[:8], 'big') / 2**64
        return draw < self.fraction

    def select(self, paths: Sequence[str], folder: str) -> List[str]:
        """The paths of this split's part, in their order.

        Args:
            paths (Sequence[str]): Image paths under ``folder``.
            folder (str): The folder they were listed from.

        Returns:
            list[str]: The paths in ``part``.

        Raises:
            ValueError: If the part is empty (the message names the folder).
        """
        want = self.part == 'holdout'
        kept = [
            p for p in paths if self.is_held_out(os.path.relpath(p, folder)) == want
        ]
        if not kept:
            raise ValueError(
                f'holdout (fraction={self.fraction}, part={self.part!r}) leaves no '
                f'image of the {len(paths)} in {folder!r}; '
                + ('raise the fraction.' if want else 'lower the fraction.')
            )
        return kept
