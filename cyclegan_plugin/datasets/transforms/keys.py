"""Helpers shared by the transforms for the ``key``/``keys`` arguments."""

from typing import List, Optional, Sequence, Union

__all__ = ['resolve_keys', 'domain_of', 'image_path']

DEFAULT_KEYS = ('img_A', 'img_B')


def resolve_keys(
    keys: Union[str, Sequence[str], None], key: Optional[str] = None
) -> List[str]:
    """Normalise a transform's ``key``/``keys`` arguments to a list.

    Args:
        keys (str | Sequence[str], optional): Result keys to work on. None
            means ``['img_A', 'img_B']`` unless ``key`` is given.
        key (str, optional): A single key, the alternative to ``keys``.
            Defaults to None.

    Returns:
        list[str]: The keys, in order.

    Raises:
        ValueError: If both are given, or the list is empty.
    """
    if key is not None and keys is not None:
        raise ValueError(f'Give key or keys, not both: got key={key!r}, keys={keys!r}')
    if key is not None:
        keys = [key]
    elif keys is None:
        keys = list(DEFAULT_KEYS)
    elif isinstance(keys, str):
        keys = [keys]
    keys = list(keys)
    if not keys:
        raise ValueError('keys must name at least one image, e.g. ["img_A"]')
    return keys


def domain_of(key: str) -> str:
    """The domain suffix of an image key: ``'img_A'`` -> ``'A'``.

    Used to name per-domain results such as ``ori_shape_A``.
    """
    return key[len('img_') :] if key.startswith('img_') else key


def image_path(results: dict, key: str) -> str:
    """The source file of ``results[key]`` for error messages."""
    return str(results.get(f'{key}_path', results.get('img_path', '<unknown file>')))
