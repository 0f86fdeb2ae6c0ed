import pytest
import torch
import torch.nn.functional as F


class TinyFeatureNet(torch.nn.Module):
    """Stands in for Inception: demands 299x299 input, returns (N, 20) features."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 13, stride=13)
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():
            self.conv.weight.copy_(torch.randn(8, 3, 13, 13, generator=generator))
            self.conv.weight.mul_(0.05)
            self.conv.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[2] != 299 or x.shape[3] != 299:
            raise ValueError('expected 299x299 input')
        pooled = F.adaptive_avg_pool2d(x, 2).flatten(1)
        deep = torch.tanh(self.conv(x)).mean(dim=(2, 3))
        return torch.cat([pooled, deep], dim=1)


@pytest.fixture(scope='session')
def fake_weights(tmp_path_factory) -> str:
    """A TorchScript file of :class:`TinyFeatureNet`."""
    path = tmp_path_factory.mktemp('weights') / 'tiny_features.pt'
    torch.jit.script(TinyFeatureNet().eval()).save(str(path))
    return str(path)
