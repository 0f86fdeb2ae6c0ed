"""A static HTML page of training snapshots, newest first (like the authors' web/)."""

import html
import json
import os.path as osp
from typing import Dict, List, Optional

import cv2
import numpy as np

from cyclegan_plugin.fileio import write_atomic


class HTMLGallery:
    """``<root>/index.html`` showing image grids and scalars per training step.

    Images are PNG files under ``<root>/<image_dir>`` linked by relative paths,
    so the page opens from disk without a server and survives moving the work
    directory. The list of entries is kept in ``<image_dir>/entries.json`` so
    a resumed run continues the same page. Every write is atomic.

    Args:
        root (str): Folder of ``index.html`` (the work directory).
        image_dir (str): Sub-folder of the images, relative to ``root``.
            Defaults to 'vis_images'.
        title (str): Page title. Defaults to 'CycleGAN training'.
        description (str): HTML-escaped paragraph under the title. Defaults
            to ''.
    """

    def __init__(
        self,
        root: str,
        image_dir: str = 'vis_images',
        title: str = 'CycleGAN training',
        description: str = '',
    ) -> None:
        if osp.isabs(image_dir) or '..' in image_dir.split('/'):
            raise ValueError(
                f'image_dir must be a folder inside root, but got {image_dir!r}'
            )
        self.root = root
        self.image_dir = image_dir
        self.title = title
        self.description = description
        self.index_path = osp.join(root, 'index.html')
        self._entries_path = osp.join(root, image_dir, 'entries.json')
        self.entries: List[dict] = []
        if osp.isfile(self._entries_path):
            with open(self._entries_path, encoding='utf-8') as f:
                self.entries = json.load(f)

    def drop_after(self, step: int) -> None:
        """Forget entries later than ``step`` (from a run that was not resumed).

        Args:
            step (int): Last step to keep; 0 forgets everything.
        """
        self.entries = [entry for entry in self.entries if entry['step'] <= step]
        self._write()

    def add(
        self,
        step: int,
        images: Dict[str, np.ndarray],
        captions: Optional[Dict[str, str]] = None,
        scalars: Optional[Dict[str, float]] = None,
    ) -> str:
        """Save one snapshot and rewrite the page.

        Args:
            step (int): Training iteration of the snapshot.
            images (dict[str, np.ndarray]): RGB uint8 (H, W, 3) images by name
                (e.g. 'A', 'B').
            captions (dict[str, str], optional): Caption per image name.
                Defaults to None.
            scalars (dict[str, float], optional): Losses etc. at this step.
                Defaults to None.

        Returns:
            str: Path of ``index.html``.
        """
        files = {}
        for name, image in images.items():
            relative = f'{self.image_dir}/iter_{step:08d}_{name}.png'
            ok, png = cv2.imencode('.png', np.ascontiguousarray(image[..., ::-1]))
            if not ok:
                raise OSError(f'could not encode the {name!r} image of step {step}')
            write_atomic(osp.join(self.root, relative), png.tobytes())
            files[name] = relative
        entry = dict(
            step=int(step),
            images=files,
            captions=dict(captions or {}),
            scalars={k: float(v) for k, v in (scalars or {}).items()},
        )
        self.entries = [e for e in self.entries if e['step'] != step] + [entry]
        self.entries.sort(key=lambda e: e['step'], reverse=True)
        self._write()
        return self.index_path

    def _write(self) -> None:
        entries_json = json.dumps(self.entries, indent=1).encode()
        write_atomic(self._entries_path, entries_json)
        write_atomic(self.index_path, self.render().encode('utf-8'))

    def render(self) -> str:
        """The page's HTML."""
        esc = html.escape
        parts = [
            '<!DOCTYPE html>',
            f'<html><head><meta charset="utf-8"><title>{esc(self.title)}</title>',
            '<style>body{font-family:sans-serif;margin:1em}'
            'table{border-collapse:collapse;margin:.3em 0}'
            'td,th{border:1px solid #bbb;padding:2px 8px;text-align:right}'
            'figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}'
            'img{max-width:100%}</style></head><body>',
            f'<h1>{esc(self.title)}</h1>',
        ]
        if self.description:
            parts.append(f'<p>{esc(self.description)}</p>')
        for entry in self.entries:
            parts.append(f'<h2 id="iter{entry["step"]}">iteration {entry["step"]}</h2>')
            if entry['scalars']:
                names = ''.join(f'<th>{esc(k)}</th>' for k in entry['scalars'])
                values = ''.join(f'<td>{v:.4g}</td>' for v in entry['scalars'].values())
                parts.append(f'<table><tr>{names}</tr><tr>{values}</tr></table>')
            for name, src in entry['images'].items():
                caption = esc(entry['captions'].get(name, name))
                parts.append(
                    f'<figure><img src="{esc(src)}" alt="{esc(name)}">'
                    f'<figcaption>{caption}</figcaption></figure>'
                )
        if not self.entries:
            parts.append('<p>No snapshot yet.</p>')
        parts.append('</body></html>')
        return '\n'.join(parts) + '\n'
