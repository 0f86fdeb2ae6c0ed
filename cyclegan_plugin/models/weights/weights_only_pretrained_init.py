"""MMEngine's ``Pretrained`` init, reading the file as weights only."""

from typing import Optional

from mmengine.logging import print_log
from mmengine.model.weight_init import PretrainedInit, update_init_info
from mmengine.runner.checkpoint import _load_checkpoint_to_model
from torch import nn

from cyclegan_plugin.registry import WEIGHT_INITIALIZERS

from .pretrained import read_state_dict


@WEIGHT_INITIALIZERS.register_module(name='Pretrained')
class WeightsOnlyPretrainedInit(PretrainedInit):
    """``init_cfg=dict(type='Pretrained', ...)`` without unpickling code.

    MMEngine's ``PretrainedInit`` reads the file with ``torch.load`` and no
    ``weights_only``, which on torch < 2.6 unpickles everything, so a crafted
    file runs its code. In the ``cyclegan_plugin`` scope this one takes its
    place: the file goes through :func:`load_weights_file` (refused with the
    ``--trust-checkpoint`` advice if it holds Python objects, unless inside
    :func:`trust_checkpoints`); the weights load as MMEngine loads them
    (``strict=False``, a ``module.`` prefix dropped, missing keys logged).

    Args:
        checkpoint (str): Path of the checkpoint file.
        prefix (str, optional): Load only the keys under this prefix, e.g.
            ``'backbone.'``. Defaults to None.
        map_location (str): Where tensors go. Defaults to 'cpu'.
    """

    def __init__(
        self, checkpoint: str, prefix: Optional[str] = None, map_location: str = 'cpu'
    ) -> None:
        if '://' in str(checkpoint):
            raise ValueError(
                f'init_cfg Pretrained checkpoint={checkpoint!r}: only local files '
                'are read (weights only); download it and pass its path'
            )
        super().__init__(checkpoint, prefix, map_location)

    def __call__(self, module: nn.Module) -> None:
        state_dict = read_state_dict(self.checkpoint, self.prefix, self.map_location)
        if self.prefix and not state_dict:
            raise ValueError(
                f'init_cfg Pretrained: no key of {self.checkpoint} starts with '
                f'prefix {self.prefix!r}'
            )
        print_log(f'load model from: {self.checkpoint}', logger='current')
        _load_checkpoint_to_model(
            module, {'state_dict': state_dict}, strict=False, logger='current'
        )
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())
