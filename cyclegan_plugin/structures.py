"""The names the stages of the data flow share (``docs/design.md``).

Translation directions (``'AtoB'`` uses G_A, ``'BtoA'`` uses G_B) and the fields
of the model's outputs (``real_A``, ``fake_B`` = G_A(real_A), ``rec_A`` =
G_B(fake_B), ``idt_B`` = G_B(real_A), and the same with A and B swapped), which
the model writes and the hooks, metrics and inference read.
"""

from typing import Dict, Literal, NamedTuple, Sequence, Tuple, Union

__all__ = [
    'DIRECTIONS',
    'DIRECTION_FIELDS',
    'DOMAIN_FIELDS',
    'OUTPUT_FIELDS',
    'Direction',
    'DirectionFields',
    'check_direction',
    'check_directions',
    'source_domain',
]

Direction = Literal['AtoB', 'BtoA']
DIRECTIONS: Tuple[str, ...] = ('AtoB', 'BtoA')

# Per source domain: the real image, its translation, the cycle back, and the
# identity mapping of the generator that targets this domain.
DOMAIN_FIELDS: Dict[str, Tuple[str, ...]] = {
    'A': ('real_A', 'fake_B', 'rec_A', 'idt_B'),
    'B': ('real_B', 'fake_A', 'rec_B', 'idt_A'),
}
OUTPUT_FIELDS: Tuple[str, ...] = DOMAIN_FIELDS['A'] + DOMAIN_FIELDS['B']


class DirectionFields(NamedTuple):
    """Field names of one direction in a val/test data sample.

    Attributes:
        fake (str): The translation, e.g. ``fake_B`` = G_A(real_A).
        real (str): Real images of the target domain, e.g. ``real_B``.
        source (str): The translated real image, e.g. ``real_A``.
        source_path (str): Metainfo key of the translated image's file.
        real_path (str): Metainfo key of the real target image's file.
    """

    fake: str
    real: str
    source: str
    source_path: str
    real_path: str


DIRECTION_FIELDS: Dict[str, DirectionFields] = {
    'AtoB': DirectionFields('fake_B', 'real_B', 'real_A', 'img_A_path', 'img_B_path'),
    'BtoA': DirectionFields('fake_A', 'real_A', 'real_B', 'img_B_path', 'img_A_path'),
}


def check_direction(direction: str) -> str:
    """Validate one ``direction`` argument.

    Args:
        direction (str): ``'AtoB'`` or ``'BtoA'``.

    Returns:
        str: ``direction``.

    Raises:
        ValueError: If it is neither.
    """
    if direction not in DIRECTIONS:
        raise ValueError(
            f"direction must be 'AtoB' or 'BtoA', but got direction: {direction!r}"
        )
    return direction


def check_directions(directions: Union[str, Sequence[str]]) -> Tuple[str, ...]:
    """Validate a ``directions`` argument (a metric's, for one).

    Args:
        directions (str | Sequence[str]): Some of 'AtoB', 'BtoA'.

    Returns:
        tuple[str, ...]: The directions, as a tuple.

    Raises:
        ValueError: If empty, repeated or not a known direction.
    """
    if isinstance(directions, str):
        directions = (directions,)
    directions = tuple(directions)
    unknown = [d for d in directions if d not in DIRECTIONS]
    if not directions or unknown or len(set(directions)) != len(directions):
        raise ValueError(
            f'directions must be distinct values of {DIRECTIONS}, but got {directions}'
        )
    return directions


def source_domain(field: str) -> str:
    """The domain of the input image an output field was made from.

    Args:
        field (str): One of :data:`OUTPUT_FIELDS`, e.g. ``'fake_B'``.

    Returns:
        str: ``'A'`` for ``real_A``, ``fake_B``, ``rec_A``, ``idt_B``; else
        ``'B'``.
    """
    return 'A' if field in DOMAIN_FIELDS['A'] else 'B'
