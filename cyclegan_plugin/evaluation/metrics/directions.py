"""Which data-sample fields hold each translation direction's images."""

from typing import Dict, Literal, NamedTuple, Sequence, Tuple

Direction = Literal['AtoB', 'BtoA']


class DirectionFields(NamedTuple):
    """Field names of one direction in a val/test data sample (docs/design.md).

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


def check_directions(directions: Sequence[str]) -> Tuple[str, ...]:
    """Validate a metric's ``directions`` argument.

    Args:
        directions (Sequence[str]): Some of 'AtoB', 'BtoA'.

    Returns:
        tuple[str, ...]: The directions, as a tuple.

    Raises:
        ValueError: If empty, repeated or not a known direction.
    """
    if isinstance(directions, str):
        directions = (directions,)
    directions = tuple(directions)
    unknown = [d for d in directions if d not in DIRECTION_FIELDS]
    if not directions or unknown or len(set(directions)) != len(directions):
        raise ValueError(
            f'directions must be distinct values of {tuple(DIRECTION_FIELDS)}, '
            f'but got {directions}'
        )
    return directions


def get_field(sample, field: str, metric: str):
    """A field of a data sample (``BaseDataElement`` or dict), or a clear error.

    Args:
        sample (BaseDataElement | dict): One output of ``val_step``/``test_step``.
        field (str): Field name, e.g. ``fake_B``.
        metric (str): Name of the asking metric, for the message.

    Returns:
        Any: The field's value.

    Raises:
        KeyError: If the sample has no such field.
    """
    value = sample.get(field, None)
    if value is None:
        keys = sample.keys() if isinstance(sample, dict) else sample.all_keys()
        raise KeyError(
            f'{metric} needs the field {field!r} in each data sample, but the '
            f'sample has {sorted(keys)}; set directions= to the directions '
            'the model produces'
        )
    return value
