"""Procedural scenes for the demo: smooth shapes (A) and striped shapes (B).

A scene is a soft two-colour background with one to three coloured ellipses or
rectangles. Domain A paints the shapes plainly (with gentle shading); domain B
paints the *same kind* of scene with wavy zebra-like stripes on the shapes:
dark bands of ``0.15 * colour`` and light bands of ``0.6 * colour + 0.4``.
Both bands keep the shape's hue, so adding and removing stripes are local
operations that lose no colour (a cycle can be closed), and backgrounds are
never striped, which gives the identity loss something to keep.
Everything is a pure function of integer seeds: no files, no global RNG.
"""

import colorsys
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Literal, Union

import cv2
import numpy as np

__all__ = ['render_scene', 'scene_rng', 'synthetic_name', 'write_synthetic_dataset']

Style = Literal['plain', 'striped']

# Render at this multiple of the output size, then area-downsample: smooth edges.
_SUPERSAMPLE = 4
# Stream codes keep the A, B and test scenes of one seed independent.
STREAMS = {'train_A': 0, 'train_B': 1, 'test': 2}


def scene_rng(seed: int, stream: str, index: int) -> np.random.Generator:
    """The generator that defines scene ``index`` of a stream.

    Args:
        seed (int): The data set's seed.
        stream (str): ``'train_A'``, ``'train_B'`` or ``'test'``.
        index (int): The scene's number.

    Returns:
        np.random.Generator: Seeded by ``(seed, stream, index)`` only.
    """
    return np.random.default_rng([seed, STREAMS[stream], index])


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), np.float32)


def _sample_scene(rng: np.random.Generator) -> dict:
    """Draw a scene's parameters (coordinates are fractions of the image).

    Parameters are Python floats so that float32 rendering promotes the same
    way under NumPy 1 and 2.
    """

    def uniform(low: float, high: float) -> float:
        return float(rng.uniform(low, high))

    hue = float(rng.random())
    background = (
        _hsv(hue, uniform(0.1, 0.3), uniform(0.75, 0.95)),
        _hsv(hue + uniform(0.05, 0.2), uniform(0.1, 0.3), uniform(0.6, 0.85)),
        uniform(0, math.pi),
    )
    shapes = []
    for _ in range(int(rng.integers(1, 4))):
        shapes.append(
            dict(
                kind='ellipse' if rng.random() < 0.6 else 'rectangle',
                center=(uniform(0.22, 0.78), uniform(0.22, 0.78)),
                half_size=(uniform(0.13, 0.3), uniform(0.13, 0.3)),
                angle=uniform(0, math.pi),
                color=_hsv(
                    float(rng.random()), uniform(0.55, 0.95), uniform(0.6, 0.95)
                ),
                stripe_period=uniform(0.09, 0.14),
                stripe_angle=uniform(-0.5, 0.5),  # relative to the short axis
                wave_amp=uniform(0.15, 0.4),
                wave_len=uniform(0.25, 0.5),
            )
        )
    return dict(background=background, shapes=shapes)


def _paint(scene: dict, res: int, style: Style) -> np.ndarray:
    """Render (res, res, 3) float32 RGB in [0, 1]."""
    coords = (np.arange(res, dtype=np.float32) + 0.5) / res
    xs, ys = coords[None, :], coords[:, None]
    color0, color1, bg_angle = scene['background']
    ramp = np.clip(xs * math.cos(bg_angle) + ys * math.sin(bg_angle), 0, 1)[..., None]
    img = color0 * (1 - ramp) + color1 * ramp
    for shape in scene['shapes']:
        # Work in the shape's bounding box only: most pixels are background.
        (cx, cy), (a, b) = shape['center'], shape['half_size']
        reach = math.hypot(a, b)
        x0, x1 = max(int((cx - reach) * res), 0), min(int((cx + reach) * res) + 1, res)
        y0, y1 = max(int((cy - reach) * res), 0), min(int((cy + reach) * res) + 1, res)
        dx, dy = xs[:, x0:x1] - cx, ys[y0:y1] - cy
        cos, sin = math.cos(shape['angle']), math.sin(shape['angle'])
        u, v = dx * cos + dy * sin, -dx * sin + dy * cos  # shape-local axes
        if shape['kind'] == 'ellipse':
            radius = (u / a) ** 2 + (v / b) ** 2
        else:
            radius = np.maximum(np.abs(u / a), np.abs(v / b)) ** 2
        # Light from the top left and darker rims give the plain shapes volume.
        shade = np.clip(1.08 - 0.18 * radius - 0.1 * (dx + dy) / (a + b), 0.6, 1.2)
        color = shape['color'] * shade[..., None]
        if style == 'striped':
            # Bands across the shape's long axis, wavy along it, like a zebra.
            along, across = (u, v) if a >= b else (v, u)
            ang = shape['stripe_angle']
            t = along * math.cos(ang) + across * math.sin(ang)
            wave = shape['wave_amp'] * np.sin(
                (2 * math.pi / shape['wave_len']) * across
            )
            dark = np.mod(t / shape['stripe_period'] + wave, 1.0) < 0.45
            color = np.where(dark[..., None], 0.15 * color, 0.6 * color + 0.4)
        box = img[y0:y1, x0:x1]
        box[...] = np.where((radius <= 1.0)[..., None], color, box)
    return np.clip(img, 0, 1)


def render_scene(rng: np.random.Generator, img_size: int, style: Style) -> np.ndarray:
    """Draw a scene from ``rng`` and render it.

    Args:
        rng (np.random.Generator): Defines the scene, e.g. from
            :func:`scene_rng`. The same state gives the same scene in both
            styles.
        img_size (int): Output height and width.
        style (str): ``'plain'`` (domain A) or ``'striped'`` (domain B).

    Returns:
        np.ndarray: (img_size, img_size, 3) uint8 RGB.
    """
    if style not in ('plain', 'striped'):
        raise ValueError(f"style must be 'plain' or 'striped', got {style!r}")
    if img_size < 8:
        raise ValueError(f'img_size must be >= 8, got {img_size}')
    big = _paint(_sample_scene(rng), img_size * _SUPERSAMPLE, style)
    small = cv2.resize(big, (img_size, img_size), interpolation=cv2.INTER_AREA)
    return np.round(small * 255).astype(np.uint8)


def _write_png(path: Path, rgb: np.ndarray) -> None:
    ok, buf = cv2.imencode('.png', cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f'Could not encode {path!r} as PNG')
    with open(path, 'wb') as f:
        f.write(buf.tobytes())


def write_synthetic_dataset(
    root: Union[str, Path],
    num_train: int = 500,
    num_test: int = 50,
    img_size: int = 64,
    seed: int = 0,
    overwrite: bool = False,
) -> Path:
    """Write the synthetic stripes data set as PNGs in the CycleGAN layout.

    ``trainA/`` and ``trainB/`` hold independent scenes (unpaired);
    ``testA/xxxx.png`` and ``testB/xxxx.png`` are the same scene plain and
    striped (ground truth). The files equal what
    :class:`~cyclegan_plugin.datasets.SyntheticStripesDataset` renders with the
    same seed and size. The folder appears whole or not at all: it is written
    next to ``root`` under a temporary name and renamed at the end.

    Args:
        root (str | Path): The folder to create.
        num_train (int): Images per training domain. Defaults to 500.
        num_test (int): Test pairs. Defaults to 50.
        img_size (int): Image height and width. Defaults to 64.
        seed (int): Defaults to 0.
        overwrite (bool): Replace an existing ``root``. Defaults to False.

    Returns:
        Path: ``root``.

    Raises:
        FileExistsError: If ``root`` exists and ``overwrite`` is False.
    """
    root = Path(root)
    if root.exists() and not overwrite:
        raise FileExistsError(
            f'{str(root)!r} already exists; pass overwrite=True to replace it'
        )
    if min(num_train, num_test) <= 0:
        raise ValueError(
            f'num_train and num_test must be positive: {num_train}, {num_test}'
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{root.name}.tmp-', dir=root.parent))
    try:
        for folder in ('trainA', 'trainB', 'testA', 'testB'):
            (tmp / folder).mkdir()
        for i in range(num_train):
            name = f'{i:06d}.png'
            _write_png(
                tmp / 'trainA' / name,
                render_scene(scene_rng(seed, 'train_A', i), img_size, 'plain'),
            )
            _write_png(
                tmp / 'trainB' / name,
                render_scene(scene_rng(seed, 'train_B', i), img_size, 'striped'),
            )
        for i in range(num_test):
            name = f'{i:06d}.png'
            for folder, style in (('testA', 'plain'), ('testB', 'striped')):
                img = render_scene(scene_rng(seed, 'test', i), img_size, style)
                _write_png(tmp / folder / name, img)
        _replace_dir(tmp, root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return root


def _replace_dir(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst``, replacing ``dst`` if it exists."""
    if not dst.exists():
        os.rename(src, dst)
        return
    trash = Path(tempfile.mkdtemp(prefix=f'.{dst.name}.old-', dir=dst.parent))
    os.rename(dst, trash / dst.name)
    os.rename(src, dst)
    shutil.rmtree(trash, ignore_errors=True)


def synthetic_name(domain: str, index: int) -> str:
    """The file name of a synthetic image, e.g. ``synthetic_A_000012.png``."""
    return f'synthetic_{domain}_{index:06d}.png'
