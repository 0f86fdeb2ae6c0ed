"""CUT's F: random patches of encoder features, projected by small MLPs."""

from typing import List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn

from cyclegan_plugin.registry import MODELS

from ..weights import BaseNetwork

__all__ = ['PatchSampleF']


@MODELS.register_module()
class PatchSampleF(BaseNetwork):
    """The CUT authors' ``PatchSampleF`` (``--netF mlp_sample``).

    For each feature map, ``num_patches`` random locations (the same for every
    image of the batch, as the authors') are taken, each location's feature
    vector goes through its layer's head ``Linear(C_i, num_channels), ReLU,
    Linear(num_channels, num_channels)`` (or through nothing, ``use_mlp=False``,
    their ``sample``), and is L2-normalised.

    The authors build the heads on the first batch because their F does not
    know the channel counts until then (``data_dependent_initialize``); here
    they are given (:meth:`ResnetGenerator.feature_channels`), so the heads
    exist from construction and the optimizer, checkpoints and resume see an
    ordinary module. The initial weights have the authors' distribution
    (N(0, 0.02) weights, zero biases, their ``init_net`` on F); only which
    draws of the random stream they get differs.

    Args:
        in_channels (Sequence[int]): Channels of each feature map.
        num_channels (int): Width of the heads (the authors' ``netF_nc``).
            Defaults to 256.
        use_mlp (bool): Project by the heads. Defaults to True.
        init_cfg (dict | list[dict], optional): See :class:`BaseNetwork`.
            Defaults to ``dict(type='normal', gain=0.02)``.

    Raises:
        ValueError: If a channel count is below 1.
    """

    def __init__(
        self,
        in_channels: Sequence[int],
        num_channels: int = 256,
        use_mlp: bool = True,
        init_cfg: Optional[Union[dict, List[dict]]] = dict(type='normal', gain=0.02),
    ) -> None:
        super().__init__(init_cfg)
        if not in_channels or min(in_channels) < 1 or num_channels < 1:
            raise ValueError(
                'in_channels must be a non-empty list of counts >= 1 and '
                f'num_channels >= 1, but got in_channels={in_channels!r}, '
                f'num_channels={num_channels}'
            )
        self.use_mlp = use_mlp
        self.mlps = nn.ModuleList(
            nn.Sequential(
                nn.Linear(c, num_channels),
                nn.ReLU(),
                nn.Linear(num_channels, num_channels),
            )
            for c in (in_channels if use_mlp else ())
        )
        self.num_maps = len(in_channels)

    def forward(
        self,
        feats: Sequence[Tensor],
        num_patches: int = 256,
        patch_ids: Optional[Sequence[Tensor]] = None,
    ) -> Tuple[List[Tensor], List[Tensor]]:
        """Sample, project and normalise patch features.

        Args:
            feats (Sequence[Tensor]): ``(N, C_i, H_i, W_i)`` per map.
            num_patches (int): Locations per map (all of them where a map
                has fewer). Defaults to 256.
            patch_ids (Sequence[Tensor], optional): Flat locations per map,
                e.g. those a previous call returned, so that queries and keys
                are the same patches; None draws them with
                ``torch.randperm`` (the global generator). Defaults to None.

        Returns:
            tuple[list[Tensor], list[Tensor]]: ``(N, P_i, D)`` unit vectors
            per map (``D`` is ``num_channels``, or ``C_i`` without heads) and
            the ``(P_i,)`` locations used.

        Raises:
            ValueError: If the number of maps or ``num_patches`` is wrong.
        """
        if len(feats) != self.num_maps or num_patches < 1:
            raise ValueError(
                f'PatchSampleF needs {self.num_maps} feature maps and '
                f'num_patches >= 1, but got {len(feats)} maps and '
                f'num_patches={num_patches}'
            )
        samples, ids = [], []
        for i, feat in enumerate(feats):
            flat = feat.permute(0, 2, 3, 1).flatten(1, 2)  # (N, H*W, C)
            if patch_ids is not None:
                idx = patch_ids[i]
            else:
                idx = torch.randperm(flat.shape[1], device=feat.device)
                idx = idx[: min(num_patches, idx.shape[0])]
            # (N * P, C) as the authors': a 2-D Linear sums its gradient in
            # their order.
            x = flat[:, idx, :].flatten(0, 1)
            if self.use_mlp:
                x = self.mlps[i](x)
            # The authors' Normalize: x / (||x||_2 + 1e-7) over the channels.
            x = x.div(x.pow(2).sum(1, keepdim=True).pow(0.5) + 1e-7)
            samples.append(x.reshape(feat.shape[0], idx.shape[0], -1))
            ids.append(idx)
        return samples, ids
