"""The CUT authors' checkpoints: read, write, round trip bit-exact."""

import functools
import importlib.util
from pathlib import Path

import pytest
import torch

from cyclegan_plugin.converters.taesungp_cut import cut_to_plugin, plugin_to_cut
from cyclegan_plugin.registry import MODELS

# The literal re-statement of the authors' networks, beside the CUT step test.
_PLAIN = (
    Path(__file__).resolve().parents[1]
    / 'test_models'
    / 'test_editors'
    / 'plain_cut.py'
)
_spec = importlib.util.spec_from_file_location('plain_cut', _PLAIN)
plain_cut = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(plain_cut)

NGF, NDF, N_BLOCKS, N_LAYERS, NC = 4, 4, 5, 3, 8


def _model():
    return MODELS.build(
        dict(
            type='CUT',
            generator=dict(
                type='ResnetGenerator',
                base_channels=NGF,
                num_blocks=N_BLOCKS,
                antialias=True,
                upsample_mode='blur_conv',
            ),
            discriminator=dict(
                type='PatchDiscriminator',
                base_channels=NDF,
                num_conv=N_LAYERS,
                antialias=True,
            ),
            sampler=dict(type='PatchSampleF', num_channels=NC),
        )
    )


def _authors_files(tmp_path):
    """Their three networks with random weights, saved as they save them."""
    torch.manual_seed(3)
    norm = functools.partial(torch.nn.InstanceNorm2d, affine=False)
    G = plain_cut.ResnetGenerator(3, 3, NGF, norm, N_BLOCKS, False, False)
    D = plain_cut.NLayerDiscriminator(3, NDF, N_LAYERS, norm, False)
    F = plain_cut.PatchSampleF(use_mlp=True, nc=NC)
    x = torch.randn(1, 3, 32, 32)
    F.create_mlp(G(x, [0, 4, 8, 12, 16], encode_only=True))
    for net in (G, D, F):
        with torch.no_grad():
            for p in net.parameters():
                p.normal_()
    paths = {}
    for name, net in (('G', G), ('F', F), ('D', D)):
        paths[name] = tmp_path / f'latest_net_{name}.pth'
        torch.save(net.state_dict(), paths[name])
    return paths, (G, D)


def test_round_trip_is_bit_exact_and_computes_the_authors_networks(tmp_path):
    paths, (G, D) = _authors_files(tmp_path)
    model = _model()
    converted = cut_to_plugin(paths, model)
    assert converted['meta']['source_files']['G'] == str(paths['G'])
    model.load_state_dict(converted['state_dict'])  # strict: every key
    x = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(model.generators.A(x), G(x), atol=1e-6, rtol=0)
    torch.testing.assert_close(model.discriminators.A(x), D(x), atol=1e-6, rtol=0)

    back = plugin_to_cut(converted, model)
    for name, path in paths.items():
        theirs = torch.load(path, weights_only=True)
        ours = back[f'latest_net_{name}.pth']
        assert ours.keys() == theirs.keys()
        assert all(torch.equal(ours[k], theirs[k]) for k in theirs), name


def test_a_generator_alone_converts(tmp_path):
    paths, _ = _authors_files(tmp_path)
    state = cut_to_plugin({'G': paths['G']}, _model())['state_dict']
    assert state and all(k.startswith('generators.A.') for k in state)
    assert set(plugin_to_cut(state, _model())) == {'latest_net_G.pth'}


def test_bad_files_raise(tmp_path):
    paths, _ = _authors_files(tmp_path)
    model = _model()
    with pytest.raises(
        ValueError, match="named \\['D', 'F', 'G'\\], but got \\['G_A'\\]"
    ):
        cut_to_plugin({'G_A': paths['G']}, model)
    theirs = torch.load(paths['D'], weights_only=True)
    blurred = dict(theirs, **{'model.2.filt': theirs['model.2.filt'] * 2})
    with pytest.raises(
        ValueError, match='model.2.filt is not the binomial blur filter'
    ):
        cut_to_plugin({'D': blurred}, model)
    with pytest.raises(ValueError, match='model.0.weight'):
        cut_to_plugin(
            {'D': {k: v for k, v in theirs.items() if k != 'model.0.weight'}}, model
        )
    with pytest.raises(ValueError, match='none of'):
        plugin_to_cut({'state_dict': {}}, model)
