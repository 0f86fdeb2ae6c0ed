import pytest
import torch
import torch.nn as nn
from mmengine.optim import AmpOptimWrapper, OptimWrapperDict

from cyclegan_plugin.models.editors.nonfinite_guard import NonFiniteGuard
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


def _fp16(type_name):
    return dict(
        generators=dict(
            type=type_name, dtype='float16', optimizer=dict(type='SGD', lr=0.1)
        )
    )


def test_fp16_on_cpu_is_refused():
    if torch.cuda.is_available():
        pytest.skip('CUDA present: fp16 is allowed')
    with pytest.raises(RuntimeError, match='bfloat16'):
        _build(_fp16('MixedPrecisionOptimWrapper'), TwoPart())
    # What `--amp float16` builds: MMEngine's wrapper, which asserts a GPU.
    with pytest.raises(AssertionError, match='gpu'):
        _build(_fp16('AmpOptimWrapper'), TwoPart())


@pytest.mark.skipif(not torch.cuda.is_available(), reason='fp16 needs CUDA')
@pytest.mark.parametrize('type_name', ['AmpOptimWrapper', 'MixedPrecisionOptimWrapper'])
def test_fp16_is_amp_optim_wrapper_with_loss_scaling(type_name):
    model = TwoPart().cuda()
    wrapper = _build(_fp16(type_name), model)['generators']
    assert isinstance(wrapper, AmpOptimWrapper) and wrapper.loss_scaler.is_enabled()
    assert wrapper.cast_dtype == torch.float16
    with wrapper.optim_context(model.generators):
        y = model.generators(torch.randn(2, 4, device='cuda'))
        assert y.dtype == torch.float16
    wrapper.update_params(y.float().pow(2).mean())
    assert wrapper.state_dict()['loss_scaler']['scale'] > 0
    # An enabled scaler skips inf/NaN steps itself: the guard leaves them to it.
    assert NonFiniteGuard._nonfinite_grads(wrapper) == 0


def test_bf16_is_amp_optim_wrapper_without_loss_scaling():
    model = TwoPart()
    wrapper = _build(
        dict(
            generators=dict(
                type='MixedPrecisionOptimWrapper',
                optimizer=dict(type='SGD', lr=0.1),
                clip_grad=dict(max_norm=1e-3),
            )
        ),
        model,
    )['generators']
    assert isinstance(wrapper, AmpOptimWrapper)
    assert wrapper.cast_dtype == torch.bfloat16
    assert not wrapper.loss_scaler.is_enabled()
    before = model.generators.weight.detach().clone()
    with wrapper.optim_context(model.generators):
        loss = model.generators(torch.randn(2, 4)).float().pow(2).mean()
    wrapper.update_params(loss)
    # Clipped to a total norm of 1e-3, times lr 0.1.
    step = (model.generators.weight - before).norm()
    assert 0 < step <= 1.1e-4
    # Checkpoints: AmpOptimWrapper's format, the disabled scaler saves nothing.
    state = wrapper.state_dict()
    assert state['loss_scaler'] == {}
    wrapper.load_state_dict(state)
    wrapper.load_state_dict({k: v for k, v in state.items() if k != 'loss_scaler'})
    # bf16 has no loss scaler to skip NaN steps: the non-finite guard checks.
    model.generators.weight.grad = torch.full_like(before, float('nan'))
    assert NonFiniteGuard._nonfinite_grads(wrapper) == 1
    wrapper.loss_scaler = torch.amp.GradScaler('cpu')
    assert NonFiniteGuard._nonfinite_grads(wrapper) == 0
