"""On-disk cache of feature sets (npz), keyed by their images and settings."""

import hashlib
import json
import os.path as osp
from typing import Optional, Sequence

import numpy as np

from cyclegan_plugin.fileio import write_atomic


class FeatureCache:
    """Feature sets stored as ``<cache_dir>/<key>.npz`` with their image list.

    The key hashes the images' names and pixel digests (so a changed file or
    test pipeline gives a new key) together with the extractor's settings
    (weights content, input size, resize method).

    Args:
        cache_dir (str): Folder of the npz files; ``~`` is expanded and the
            folder created on the first write.
    """

    def __init__(self, cache_dir: str) -> None:
        self.cache_dir = osp.expanduser(cache_dir)

    @staticmethod
    def key(names: Sequence[str], digests: Sequence[str], settings: dict) -> str:
        """Hash of the image list and the settings.

        Args:
            names (Sequence[str]): Image names (file paths), one per image.
            digests (Sequence[str]): Pixel digests, one per image.
            settings (dict): JSON-serialisable extractor settings.

        Returns:
            str: Hex SHA-1 key.
        """
        payload = json.dumps(
            dict(images=sorted(zip(names, digests)), settings=settings),
            sort_keys=True,
        )
        return hashlib.sha1(payload.encode()).hexdigest()

    def path(self, key: str) -> str:
        """The npz file of ``key``."""
        return osp.join(self.cache_dir, f'{key}.npz')

    def load(self, key: str, names: Sequence[str]) -> Optional[np.ndarray]:
        """Cached features in the order of ``names``, or None when absent.

        Args:
            key (str): Cache key from :meth:`key`.
            names (Sequence[str]): The names the features are wanted for.

        Returns:
            np.ndarray, optional: Features of shape (N, D).
        """
        path = self.path(key)
        if not osp.isfile(path):
            return None
        with np.load(path) as data:
            stored = {str(name): i for i, name in enumerate(data['names'])}
            return data['features'][[stored[name] for name in names]]

    def save(self, key: str, names: Sequence[str], features: np.ndarray) -> str:
        """Write features atomically (a reader never sees a partial file).

        Args:
            key (str): Cache key from :meth:`key`.
            names (Sequence[str]): One name per feature row.
            features (np.ndarray): Features of shape (N, D).

        Returns:
            str: The npz path.
        """
        write_atomic(
            self.path(key),
            lambda f: np.savez(f, names=np.asarray(list(names)), features=features),
        )
        return self.path(key)
