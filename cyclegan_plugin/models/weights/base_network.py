"""The base class of the networks: the authors' init, or MMEngine's init_cfg."""

from typing import List, Optional, Union

from mmengine.model import BaseModule

from .init_weights import INIT_FUNCS, init_weights
from .pretrained import load_pretrained

__all__ = ['BaseNetwork']


class BaseNetwork(BaseModule):
    """An MMEngine ``BaseModule`` whose ``init_weights`` also speaks the authors' init.

    ``init_cfg`` may be:

    - ``dict(type='normal' | 'xavier' | 'kaiming' | 'orthogonal', gain=0.02)``:
      :func:`~cyclegan_plugin.models.weights.init_weights`, the authors' scheme;
    - ``dict(type='Pretrained', checkpoint=PATH, prefix=None, map_location='cpu')``:
      the weights are loaded strictly (a mismatch raises and nothing is
      loaded), e.g. ``prefix='generators.A.'`` to take G_A from a CycleGAN
      checkpoint;
    - anything else MMEngine's ``BaseModule`` understands (its capitalised
      initializers such as ``dict(type='Normal', std=0.02)``, lists), or None to
      keep PyTorch's defaults.

    Args:
        init_cfg (dict | list[dict], optional): See above. Defaults to None.

    Raises:
        ValueError: If an authors' init config has keys other than type/gain, or
            a Pretrained config has no checkpoint or unknown keys.
    """

    def __init__(self, init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if isinstance(init_cfg, dict):
            init_type = init_cfg.get('type')
            if init_type in INIT_FUNCS and set(init_cfg) - {'type', 'gain'}:
                raise ValueError(
                    f'init_cfg of type {init_type!r} takes only "gain", but got '
                    f'{init_cfg!r}'
                )
            pretrained_keys = {'type', 'checkpoint', 'prefix', 'map_location'}
            if init_type == 'Pretrained' and (
                not init_cfg.get('checkpoint') or set(init_cfg) - pretrained_keys
            ):
                raise ValueError(
                    'init_cfg of type "Pretrained" needs a checkpoint and takes '
                    f'only prefix and map_location besides, but got {init_cfg!r}'
                )
        super().__init__(init_cfg)

    def init_weights(self) -> None:
        """Initialise the weights as ``init_cfg`` says (see the class docstring)."""
        cfg = self.init_cfg
        if isinstance(cfg, dict) and cfg.get('type') in INIT_FUNCS:
            init_weights(self, cfg['type'], cfg.get('gain', 0.02))
        elif isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
            # MMEngine's own Pretrained init loads with strict=False, so a
            # mismatched file would leave the network half random.
            load_pretrained(
                self,
                cfg['checkpoint'],
                prefix=cfg.get('prefix'),
                map_location=cfg.get('map_location', 'cpu'),
            )
        else:
            super().init_weights()
            return
        self._is_init = True
