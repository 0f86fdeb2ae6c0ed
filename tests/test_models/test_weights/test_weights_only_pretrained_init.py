"""WeightsOnlyPretrainedInit: MMEngine's Pretrained init, weights only."""

import pytest
import torch
from mmengine.model import BaseModule

from cyclegan_plugin.models.weights import WeightsOnlyPretrainedInit
from cyclegan_plugin.registry import WEIGHT_INITIALIZERS, build_in_scope


class _Net(BaseModule):
    def __init__(self, init_cfg=None) -> None:
        super().__init__(init_cfg)
        self.conv = torch.nn.Conv2d(2, 3, 1)


def test_replaces_mmengine_pretrained_in_our_scope():
    init = build_in_scope(WEIGHT_INITIALIZERS, dict(type='Pretrained', checkpoint='x'))
    assert isinstance(init, WeightsOnlyPretrainedInit)


def test_loads_the_weights_under_a_prefix(tmp_path):
    source = _Net()
    path = tmp_path / 'whole.pth'
    torch.save(
        {'state_dict': {f'backbone.{k}': v for k, v in source.state_dict().items()}},
        path,
    )
    net = _Net()
    WeightsOnlyPretrainedInit(str(path), prefix='backbone')(net)
    for key, value in source.state_dict().items():
        assert torch.equal(net.state_dict()[key], value), key
    with pytest.raises(ValueError, match="prefix 'head'"):
        WeightsOnlyPretrainedInit(str(path), prefix='head')(_Net())


def test_refuses_urls_and_python_objects(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match='download it'):
        WeightsOnlyPretrainedInit('https://example.org/w.pth')
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    path = tmp_path / 'objects.pth'
    torch.save({'state_dict': _Net().state_dict(), 'net': torch.nn.ReLU()}, path)
    with pytest.raises(ValueError, match='--trust-checkpoint'):
        WeightsOnlyPretrainedInit(str(path))(_Net())
