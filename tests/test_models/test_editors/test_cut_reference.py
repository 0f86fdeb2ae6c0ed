"""CUT.train_step against a literal re-statement of the authors' CUT step.

The reference, ``plain_cut.py`` beside this file, follows the authors'
``cut_model.py`` / ``networks.py`` / ``patchnce.py`` line by line. Both start
from the same weights (ours, written into the reference's layout by the CUT
converter) and see the same images; torch's generator is seeded alike before
each iteration, so both draw the same patch locations (and FastCUT flips).
After 3 iterations every parameter of G, F and D must agree.
"""

import functools

import pytest
import torch

from cyclegan_plugin.converters.taesungp_cut import cut_to_plugin, plugin_to_cut
from cyclegan_plugin.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

from .plain_cut import NLayerDiscriminator, PlainCUT, ResnetGenerator

NGF, NDF, N_BLOCKS, N_LAYERS, NC, SIZE, BATCH = 4, 4, 5, 3, 16, 32, 2
# Per iteration; FastCUT's first draw flips after 105 and 106, not after 103.
SEEDS = (105, 103, 106)


def _cut(mode: str, antialias: bool = True) -> torch.nn.Module:
    fast = mode == 'FastCUT'
    model = MODELS.build(
        dict(
            type='CUT',
            generator=dict(
                type='ResnetGenerator',
                base_channels=NGF,
                num_blocks=N_BLOCKS,
                antialias=antialias,
                upsample_mode='blur_conv' if antialias else 'deconv',
            ),
            discriminator=dict(
                type='PatchDiscriminator',
                base_channels=NDF,
                num_conv=N_LAYERS,
                antialias=antialias,
            ),
            sampler=dict(type='PatchSampleF', num_channels=NC),
            nce_loss=dict(type='PatchNCELoss', loss_weight=10.0 if fast else 1.0),
            nce_idt=not fast,
            flip_equivariance=fast,
        )
    )
    # PyTorch's default init of the layers, not the authors' N(0, 0.02): at
    # these tiny widths that makes some patch's feature exactly zero, whose
    # normalisation has a non-finite gradient, in their code as in ours.
    return model


def _load_reference(ref: PlainCUT, model: torch.nn.Module) -> None:
    files = plugin_to_cut(model.state_dict(), model)
    for name, net in (('G', ref.netG), ('F', ref.netF), ('D', ref.netD)):
        missing, unexpected = net.load_state_dict(files[f'latest_net_{name}.pth'])
        assert not missing and not unexpected


@pytest.mark.parametrize('antialias', [True, False])
def test_networks_compute_the_authors_layers(antialias):
    model = _cut('CUT', antialias)
    inorm = functools.partial(torch.nn.InstanceNorm2d, affine=False)
    G = ResnetGenerator(3, 3, NGF, inorm, N_BLOCKS, not antialias, not antialias)
    D = NLayerDiscriminator(3, NDF, N_LAYERS, inorm, not antialias)
    files = plugin_to_cut(model.state_dict(), model)
    G.load_state_dict(files['latest_net_G.pth'])
    D.load_state_dict(files['latest_net_D.pth'])
    x = torch.randn(2, 3, SIZE, SIZE)
    ours_G, ours_D = model.generators.A, model.discriminators.A
    torch.testing.assert_close(ours_G(x), G(x), atol=1e-6, rtol=0)
    torch.testing.assert_close(ours_D(x), D(x), atol=1e-6, rtol=0)
    layers = [0, 4, 8, 12, 16]
    names = [ours_G.feature_layers()[i] for i in layers]
    for ours, theirs in zip(ours_G.encode(x, names), G(x, layers, encode_only=True)):
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)
    assert len(ours_G.feature_layers()) == len(G.model)


@pytest.mark.parametrize('mode', ['CUT', 'FastCUT'])
def test_three_iterations_match_reference(mode):
    torch.manual_seed(0)
    model = _cut(mode)
    ref = PlainCUT(
        NGF, N_BLOCKS, NDF, N_LAYERS, batch_size=BATCH, cut_mode=mode, netF_nc=NC
    )
    g = torch.Generator().manual_seed(1)

    def batch():
        shape = (BATCH, 3, SIZE, SIZE)
        a = torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)
        b = torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)
        return a, b

    # Their first batch builds F (data_dependent_initialize), then trains.
    first = batch()
    ref.data_dependent_initialize(*(x.float() / 127.5 - 1 for x in first))
    _load_reference(ref, model)

    adam = dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))
    wrappers = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='MultiOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                generators=dict(optimizer=adam), discriminators=dict(optimizer=adam)
            ),
        )
    )(model)
    flips = []
    for it in range(3):
        a, b = first if it == 0 else batch()
        torch.manual_seed(SEEDS[it])
        logs = model.train_step(dict(inputs=dict(img_A=a, img_B=b)), wrappers)
        torch.manual_seed(SEEDS[it])
        ref.optimize_parameters(a.float() / 127.5 - 1, b.float() / 127.5 - 1)
        assert torch.allclose(logs['loss_D'], ref.loss_D.detach(), atol=1e-5)
        assert torch.allclose(logs['loss_G'], ref.loss_G.detach(), atol=1e-5)
        assert ('loss_nce_idt' in logs) == (mode == 'CUT')
        flips.append(getattr(ref, 'flipped_for_equivariance', False))

    theirs = {}
    for name, net in (('G', ref.netG), ('F', ref.netF), ('D', ref.netD)):
        theirs[name] = net.state_dict()
    after = cut_to_plugin(theirs, model)['state_dict']
    state = model.state_dict()
    assert set(after) == set(state)
    worst = max((state[k] - v).abs().max().item() for k, v in after.items())
    assert worst < 1e-5, worst
    # FastCUT's seeded draws flip some iterations and not others.
    assert (mode == 'FastCUT') == (True in flips and False in flips)
    # The weights moved, so the comparison is not vacuous.
    start = _cut(mode)
    moved = min(
        (start.state_dict()[k] - v).abs().max().item()
        for k, v in state.items()
        if k.endswith('weight')
    )
    assert moved > 0
