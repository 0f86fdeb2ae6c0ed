import pytest
import torch
import torch.nn as nn
from mmengine.optim import OptimWrapperDict

from cyclegan_plugin.registry import OPTIM_WRAPPER_CONSTRUCTORS


class TwoPart(nn.Module):
    def __init__(self):
        super().__init__()
        self.generators = nn.Linear(4, 4)
        self.discriminators = nn.Linear(4, 1)


def _build(cfg, model):
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='MultiOptimWrapperConstructor', optim_wrapper_cfg=cfg)
    )(model)


def test_one_wrapper_per_submodule():
    model = TwoPart()
    adam = dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))
    wrappers = _build(
        dict(
            generators=dict(type='OptimWrapper', optimizer=adam),
            discriminators=dict(
                type='MixedPrecisionOptimWrapper', optimizer=dict(type='SGD', lr=0.1)
            ),
        ),
        model,
    )
    assert isinstance(wrappers, OptimWrapperDict)
    g_params = wrappers['generators'].optimizer.param_groups[0]['params']
    assert {id(p) for p in g_params} == {id(p) for p in model.generators.parameters()}
    assert wrappers['generators'].optimizer.defaults['betas'] == (0.5, 0.999)


def test_unknown_submodule_is_named():
    with pytest.raises(AttributeError, match="'gens'.*generators"):
        _build(dict(gens=dict(optimizer=dict(type='SGD', lr=0.1))), TwoPart())


def test_bf16_wrapper_autocasts_on_cpu_and_steps():
    model = TwoPart()
    wrappers = _build(
        dict(
            generators=dict(
                type='MixedPrecisionOptimWrapper', optimizer=dict(type='SGD', lr=0.1)
            ),
            discriminators=dict(optimizer=dict(type='SGD', lr=0.1)),
        ),
        model,
    )
    before = model.generators.weight.detach().clone()
    with wrappers['generators'].optim_context(model.generators):
        y = model.generators(torch.randn(2, 4))
        assert y.dtype == torch.bfloat16
    wrappers['generators'].update_params(y.float().pow(2).mean())
    assert model.generators.weight.dtype == torch.float32
    assert not torch.equal(before, model.generators.weight)


def test_fp16_on_cpu_is_refused():
    if torch.cuda.is_available():
        pytest.skip('CUDA present: fp16 is allowed')
    with pytest.raises(RuntimeError, match='bfloat16'):
        _build(
            dict(
                generators=dict(
                    type='MixedPrecisionOptimWrapper',
                    dtype='float16',
                    optimizer=dict(type='SGD', lr=0.1),
                )
            ),
            TwoPart(),
        )
