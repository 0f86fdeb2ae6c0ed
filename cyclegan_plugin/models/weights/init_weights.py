"""The CycleGAN authors' weight initialisation (``networks.init_weights``)."""

from typing import Callable, Dict

from torch import Tensor, nn

__all__ = ['INIT_FUNCS', 'init_weights']

# Each entry fills a conv/linear weight in place; ``gain`` is the authors'
# ``init_gain`` (the std for 'normal', ignored by 'kaiming' as in their code).
INIT_FUNCS: Dict[str, Callable[[Tensor, float], None]] = {
    'normal': lambda weight, gain: nn.init.normal_(weight, 0.0, gain),
    'xavier': lambda weight, gain: nn.init.xavier_normal_(weight, gain=gain),
    'kaiming': lambda weight, gain: nn.init.kaiming_normal_(weight, a=0, mode='fan_in'),
    'orthogonal': lambda weight, gain: nn.init.orthogonal_(weight, gain=gain),
}

_WEIGHTED_LAYERS = (
    nn.Conv1d,
    nn.Conv2d,
    nn.Conv3d,
    nn.ConvTranspose1d,
    nn.ConvTranspose2d,
    nn.ConvTranspose3d,
    nn.Linear,
)
_BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)


def init_weights(module: nn.Module, init_type: str = 'normal', gain: float = 0.02):
    """Initialise a network in place as the CycleGAN authors do.

    Conv and linear weights are drawn by ``init_type`` and their biases set to
    0; batch-norm weights are drawn from N(1, gain) and their biases set to 0.
    Other layers (instance norm included) keep PyTorch's defaults. Modules are
    visited in registration order, so with the same seed a network whose layers
    come in the authors' order gets exactly the authors' initial weights.

    Args:
        module (nn.Module): The network to initialise.
        init_type (str): One of 'normal', 'xavier', 'kaiming', 'orthogonal'.
            Defaults to 'normal'.
        gain (float): Std of 'normal', gain of 'xavier' and 'orthogonal' (unused
            by 'kaiming'), std of the batch-norm weights. Defaults to 0.02.

    Raises:
        ValueError: If ``init_type`` is unknown.
    """
    if init_type not in INIT_FUNCS:
        raise ValueError(
            f'init_type must be one of {sorted(INIT_FUNCS)}, but got {init_type!r}'
        )
    fill = INIT_FUNCS[init_type]
    for layer in module.modules():
        if isinstance(layer, _WEIGHTED_LAYERS):
            fill(layer.weight.data, gain)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias.data)
        elif isinstance(layer, _BATCH_NORMS) and layer.weight is not None:
            nn.init.normal_(layer.weight.data, 1.0, gain)
            nn.init.zeros_(layer.bias.data)
