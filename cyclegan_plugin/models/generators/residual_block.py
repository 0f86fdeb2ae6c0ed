"""The residual block of the ResNet generator (the paper's R256)."""

from typing import Literal, Optional

from torch import Tensor, nn

from ..layers import ConvNormAct

__all__ = ['ResidualBlock']


class ResidualBlock(nn.Module):
    """``x + conv2(conv1(x))`` with two 3x3 convs keeping size and channels.

    ``conv1`` is conv → norm → ReLU (→ dropout 0.5 if ``use_dropout``), ``conv2``
    is conv → norm, as the authors' ``ResnetBlock``.

    Args:
        channels (int): Input and output channels.
        norm_cfg (dict, optional): Norm after each conv. Defaults to
            ``dict(type='IN')``.
        use_dropout (bool): Dropout 0.5 after the first ReLU. Defaults to False.
        padding_mode (str): 'reflect', 'replicate' or 'zeros'. Defaults to
            'reflect'.
        bias (bool): Whether the convs have a bias. Defaults to True.
    """

    def __init__(
        self,
        channels: int,
        norm_cfg: Optional[dict] = dict(type='IN'),
        use_dropout: bool = False,
        padding_mode: Literal['reflect', 'replicate', 'zeros'] = 'reflect',
        bias: bool = True,
    ) -> None:
        super().__init__()
        conv_kwargs = dict(padding=1, padding_mode=padding_mode, bias=bias)
        self.conv1 = ConvNormAct(
            channels,
            channels,
            3,
            norm_cfg=norm_cfg,
            act_cfg=dict(type='ReLU', inplace=True),
            dropout=0.5 if use_dropout else 0.0,
            **conv_kwargs,
        )
        self.conv2 = ConvNormAct(
            channels, channels, 3, norm_cfg=norm_cfg, **conv_kwargs
        )

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block.

        Args:
            x (Tensor): ``(N, C, H, W)``.

        Returns:
            Tensor: ``(N, C, H, W)``.
        """
        return x + self.conv2(self.conv1(x))
