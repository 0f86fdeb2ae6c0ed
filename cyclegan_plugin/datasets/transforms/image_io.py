"""Decoding image files to 3-channel uint8 RGB arrays, with loud failures.

Every image a dataset hands on is HWC uint8 RGB (see ``docs/design.md``). Files
come in many forms, so :func:`imread_rgb` normalises the legitimate ones and
raises :class:`CorruptImageError` (naming the file) for anything it cannot read:

=====================  ==============================================
stored as              returned as
=====================  ==============================================
grayscale (H, W)       the gray value repeated in R, G and B
palette (P)            its RGB colours (OpenCV expands the palette)
RGBA / gray + alpha    alpha dropped (``alpha='drop'``, as PIL's
                       ``convert('RGB')`` in the authors' code) or
                       composited onto white (``alpha='composite'``)
16-bit                 scaled to 8 bits, 65535 -> 255
float, other depths    error: there is no safe guess of their range
=====================  ==============================================
"""

from typing import Literal, Optional

import cv2
import numpy as np
from mmengine import fileio

__all__ = ['CorruptImageError', 'imread_rgb']

AlphaMode = Literal['drop', 'composite']

_JPEG_SOI = b'\xff\xd8'
_JPEG_SOS = b'\xff\xda'
_JPEG_EOI = b'\xff\xd9'


class CorruptImageError(OSError):
    """An image file that exists but cannot be decoded (corrupt, truncated).

    A subclass of :class:`OSError` so that callers catching I/O errors see it;
    datasets built with ``skip_corrupt=True`` catch exactly this class.
    """


def _check_not_truncated_jpeg(data: bytes, path: str) -> None:
    # OpenCV < 5 decodes a truncated JPEG into a half-gray image with only a
    # warning on stderr. Entropy-coded data byte-stuffs 0xFF, so an end marker
    # after the last start-of-scan marker proves the scan is complete.
    if not data.startswith(_JPEG_SOI):
        return
    if data.rfind(_JPEG_EOI) < data.rfind(_JPEG_SOS):
        raise CorruptImageError(
            f'Truncated JPEG file: {path!r} has no end-of-image marker after '
            'its last scan. Re-download or delete the file.'
        )


def decode_rgb(data: bytes, path: str, alpha: AlphaMode = 'drop') -> np.ndarray:
    """Decode encoded image bytes to an (H, W, 3) uint8 RGB array.

    Args:
        data (bytes): The encoded file content.
        path (str): The file's name, used in error messages only.
        alpha (str): What to do with an alpha channel: ``'drop'`` it or
            ``'composite'`` the image onto white. Defaults to ``'drop'``.

    Returns:
        np.ndarray: (H, W, 3) uint8 array in RGB order.

    Raises:
        CorruptImageError: If the bytes are empty, truncated or undecodable.
        ValueError: If the image decodes to a depth or channel count that has
            no unambiguous 8-bit RGB meaning (e.g. float TIFF).
    """
    if alpha not in ('drop', 'composite'):
        raise ValueError(f"alpha must be 'drop' or 'composite', but got {alpha!r}")
    if len(data) == 0:
        raise CorruptImageError(
            f'Empty image file: {path!r}. Re-download it, or delete it.'
        )
    _check_not_truncated_jpeg(data, path)
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise CorruptImageError(
            f'Cannot decode image file {path!r}: it is corrupt, truncated or not '
            'an image. Re-download it, or delete it (or, if it is not an image, '
            'rename it without an image extension).'
        )
    if img.dtype == np.uint16:
        # 257 = 65535 / 255 maps the 16-bit range exactly onto 8 bits.
        img = ((img.astype(np.uint32) + 128) // 257).astype(np.uint8)
    elif img.dtype != np.uint8:
        raise ValueError(
            f'Unsupported pixel type {img.dtype} in {path!r}: only 8- and 16-bit '
            'images are read. Convert it to an 8-bit PNG or JPEG.'
        )
    if img.ndim == 2:
        img = img[:, :, None]
    channels = img.shape[2]
    if channels == 1:
        return np.repeat(img, 3, axis=2)
    if channels == 2:  # gray + alpha
        img = img[:, :, [0, 0, 0, 1]]
        channels = 4
    if channels == 4:
        img = _remove_alpha(img, alpha)
    elif channels != 3:
        raise ValueError(
            f'Unsupported channel count {channels} in {path!r}: expected gray, '
            'RGB or RGBA.'
        )
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _remove_alpha(img: np.ndarray, alpha: AlphaMode) -> np.ndarray:
    """Turn (H, W, 4) uint8 BGRA into (H, W, 3) uint8 BGR."""
    if alpha == 'drop':
        return np.ascontiguousarray(img[:, :, :3])
    weight = img[:, :, 3:4].astype(np.float32) / 255.0
    color = img[:, :, :3].astype(np.float32)
    return np.round(color * weight + 255.0 * (1.0 - weight)).astype(np.uint8)


def imread_rgb(
    path: str, alpha: AlphaMode = 'drop', backend_args: Optional[dict] = None
) -> np.ndarray:
    """Read an image file to an (H, W, 3) uint8 RGB array.

    Args:
        path (str): The file to read (any MMEngine file backend).
        alpha (str): See :func:`decode_rgb`. Defaults to ``'drop'``.
        backend_args (dict, optional): MMEngine file backend arguments.
            Defaults to None (local files).

    Returns:
        np.ndarray: (H, W, 3) uint8 array in RGB order.

    Raises:
        FileNotFoundError: If the file does not exist.
        CorruptImageError: If it exists but cannot be decoded.
    """
    try:
        data = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError as err:
        raise FileNotFoundError(f'Image file not found: {path!r}') from err
    return decode_rgb(data, path, alpha)
