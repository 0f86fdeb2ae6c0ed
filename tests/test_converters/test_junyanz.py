"""The authors' checkpoints ↔ plugin checkpoints, checked against their networks.

``_TheirResnetGenerator`` and ``_TheirNLayerDiscriminator`` re-state, layer for
layer, the authors' ``ResnetGenerator``/``ResnetBlock``/``NLayerDiscriminator``
(junyanz/pytorch-CycleGAN-and-pix2pix, models/networks.py), so their
state_dicts have exactly the authors' keys.
"""

import functools

import pytest
import torch
from torch import nn

from cyclegan_plugin.converters import (
    convert_from_plugin,
    convert_to_plugin,
    junyanz_to_plugin,
    plugin_to_junyanz,
)
from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator
from cyclegan_plugin.models.weights import init_weights, load_weights_file


def _instance_norm(affine=False):
    return functools.partial(
        nn.InstanceNorm2d, affine=affine, track_running_stats=False
    )


class _TheirResnetBlock(nn.Module):
    def __init__(self, dim, norm_layer, use_dropout, use_bias):
        super().__init__()
        block = [
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, kernel_size=3, padding=0, bias=use_bias),
            norm_layer(dim),
            nn.ReLU(True),
        ]
        if use_dropout:
            block += [nn.Dropout(0.5)]
        block += [
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, kernel_size=3, padding=0, bias=use_bias),
            norm_layer(dim),
        ]
        self.conv_block = nn.Sequential(*block)

    def forward(self, x):
        return x + self.conv_block(x)


class _TheirResnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, ngf, norm_layer, use_dropout, n_blocks):
        super().__init__()
        use_bias = norm_layer.func == nn.InstanceNorm2d
        model = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(input_nc, ngf, kernel_size=7, padding=0, bias=use_bias),
            norm_layer(ngf),
            nn.ReLU(True),
        ]
        for i in range(2):
            mult = 2**i
            model += [
                nn.Conv2d(
                    ngf * mult, ngf * mult * 2, 3, stride=2, padding=1, bias=use_bias
                ),
                norm_layer(ngf * mult * 2),
                nn.ReLU(True),
            ]
        for _ in range(n_blocks):
            model += [_TheirResnetBlock(ngf * 4, norm_layer, use_dropout, use_bias)]
        for i in range(2):
            mult = 2 ** (2 - i)
            model += [
                nn.ConvTranspose2d(
                    ngf * mult,
                    ngf * mult // 2,
                    3,
                    stride=2,
                    padding=1,
                    output_padding=1,
                    bias=use_bias,
                ),
                norm_layer(ngf * mult // 2),
                nn.ReLU(True),
            ]
        model += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7, padding=0)]
        model += [nn.Tanh()]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x)


class _TheirNLayerDiscriminator(nn.Module):
    def __init__(self, input_nc, ndf, n_layers, norm_layer):
        super().__init__()
        use_bias = norm_layer.func == nn.InstanceNorm2d
        sequence = [
            nn.Conv2d(input_nc, ndf, kernel_size=4, stride=2, padding=1),
            nn.LeakyReLU(0.2, True),
        ]
        nf_mult = 1
        for n in range(1, n_layers):
            nf_mult_prev, nf_mult = nf_mult, min(2**n, 8)
            sequence += [
                nn.Conv2d(
                    ndf * nf_mult_prev,
                    ndf * nf_mult,
                    4,
                    stride=2,
                    padding=1,
                    bias=use_bias,
                ),
                norm_layer(ndf * nf_mult),
                nn.LeakyReLU(0.2, True),
            ]
        nf_mult_prev, nf_mult = nf_mult, min(2**n_layers, 8)
        sequence += [
            nn.Conv2d(
                ndf * nf_mult_prev, ndf * nf_mult, 4, stride=1, padding=1, bias=use_bias
            ),
            norm_layer(ndf * nf_mult),
            nn.LeakyReLU(0.2, True),
        ]
        sequence += [nn.Conv2d(ndf * nf_mult, 1, kernel_size=4, stride=1, padding=1)]
        self.model = nn.Sequential(*sequence)

    def forward(self, x):
        return self.model(x)


def _their_init(net, gain=0.02):
    """The authors' ``init_weights(net, 'normal', gain)``, by class name."""

    def init_func(m):
        classname = m.__class__.__name__
        if hasattr(m, 'weight') and ('Conv' in classname or 'Linear' in classname):
            nn.init.normal_(m.weight.data, 0.0, gain)
            if getattr(m, 'bias', None) is not None:
                nn.init.constant_(m.bias.data, 0.0)
        elif 'BatchNorm2d' in classname:
            nn.init.normal_(m.weight.data, 1.0, gain)
            nn.init.constant_(m.bias.data, 0.0)

    net.apply(init_func)


def _randomise(net):
    # Not the N(0, 0.02) init: norm weights away from 1 and biases away from 0
    # so that a misplaced tensor changes the output.
    torch.manual_seed(1)
    with torch.no_grad():
        for param in net.parameters():
            param.copy_(
                torch.randn_like(param) * 0.2 + (0.5 if param.dim() == 1 else 0)
            )
    return net.eval()


def _their_generator(ngf=8, n_blocks=3, affine=False, use_dropout=False):
    return _randomise(
        _TheirResnetGenerator(3, 3, ngf, _instance_norm(affine), use_dropout, n_blocks)
    )


def _their_discriminator(ndf=8, n_layers=3, affine=False):
    return _randomise(
        _TheirNLayerDiscriminator(3, ndf, n_layers, _instance_norm(affine))
    )


def _save(tmp_path, name, net):
    path = tmp_path / f'latest_net_{name}.pth'
    torch.save(net.state_dict(), path)
    return path


def _sub_state(state_dict, prefix):
    return {k[len(prefix) :]: v for k, v in state_dict.items() if k.startswith(prefix)}


@pytest.mark.parametrize(
    'n_blocks, affine, use_dropout',
    [(9, False, False), (6, True, False), (2, False, True)],
)
def test_generator_converts_to_the_same_function(
    tmp_path, n_blocks, affine, use_dropout
):
    theirs = _their_generator(n_blocks=n_blocks, affine=affine, use_dropout=use_dropout)
    checkpoint = junyanz_to_plugin({'G_A': _save(tmp_path, 'G_A', theirs)})

    cfg = checkpoint['meta']['generators']['A']
    assert cfg == dict(
        type='ResnetGenerator',
        in_channels=3,
        out_channels=3,
        base_channels=8,
        num_blocks=n_blocks,
        norm_cfg=dict(type='IN', affine=affine),
        use_dropout=use_dropout,
    )
    ours = ResnetGenerator(**{k: v for k, v in cfg.items() if k != 'type'}).eval()
    ours.load_state_dict(_sub_state(checkpoint['state_dict'], 'generators.A.'))
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), rtol=0, atol=1e-6)


@pytest.mark.parametrize('n_layers, affine', [(3, False), (2, True), (4, False)])
def test_discriminator_converts_to_the_same_function(tmp_path, n_layers, affine):
    theirs = _their_discriminator(n_layers=n_layers, affine=affine)
    checkpoint = junyanz_to_plugin({'D_B': _save(tmp_path, 'D_B', theirs)})

    cfg = checkpoint['meta']['discriminators']['B']
    assert cfg['num_conv'] == n_layers and cfg['norm_cfg']['affine'] == affine
    ours = PatchDiscriminator(**{k: v for k, v in cfg.items() if k != 'type'}).eval()
    ours.load_state_dict(_sub_state(checkpoint['state_dict'], 'discriminators.B.'))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), rtol=0, atol=1e-6)


def test_same_seed_gives_the_authors_initial_weights(tmp_path):
    torch.manual_seed(0)
    theirs = _TheirResnetGenerator(3, 3, 8, _instance_norm(), False, 2)
    _their_init(theirs)
    torch.manual_seed(0)
    ours = ResnetGenerator(base_channels=8, num_blocks=2)
    ours.init_weights()

    converted = junyanz_to_plugin({'G_A': _save(tmp_path, 'G_A', theirs)})
    expected = _sub_state(converted['state_dict'], 'generators.A.')
    for key, value in ours.state_dict().items():
        assert torch.equal(value, expected[key]), key

    torch.manual_seed(0)
    their_d = _TheirNLayerDiscriminator(3, 8, 3, _instance_norm())
    _their_init(their_d)
    torch.manual_seed(0)
    our_d = PatchDiscriminator(base_channels=8)
    init_weights(our_d)
    converted = junyanz_to_plugin({'D_A': _save(tmp_path, 'D_A', their_d)})
    expected = _sub_state(converted['state_dict'], 'discriminators.A.')
    assert all(torch.equal(v, expected[k]) for k, v in our_d.state_dict().items())


def test_round_trip_is_bit_exact(tmp_path):
    nets = {
        'G_A': _their_generator(n_blocks=3),
        'G_B': _their_generator(n_blocks=3),
        'D_A': _their_discriminator(),
        'D_B': _their_discriminator(),
    }
    sources = {name: _save(tmp_path, name, net) for name, net in nets.items()}
    plugin = tmp_path / 'plugin.pth'
    convert_to_plugin('junyanz', sources, plugin)
    written = convert_from_plugin('junyanz', plugin, tmp_path / 'back')

    assert sorted(p.name for p in written) == sorted(p.name for p in sources.values())
    for source in sources.values():
        original = torch.load(source, weights_only=True)
        back = torch.load(tmp_path / 'back' / source.name, weights_only=True)
        assert list(back) == list(original)
        for key, value in original.items():
            assert back[key].dtype == value.dtype and torch.equal(back[key], value), key


def test_round_trip_keeps_the_dropout_and_affine_layout(tmp_path):
    theirs = _their_generator(n_blocks=2, affine=True, use_dropout=True)
    checkpoint = junyanz_to_plugin({'G_B': _save(tmp_path, 'G_B', theirs)})
    back = plugin_to_junyanz(checkpoint)['latest_net_G_B.pth']
    assert list(back) == list(theirs.state_dict())
    assert 'model.10.conv_block.6.weight' in back  # the conv after the dropout


def test_plugin_checkpoint_loads_with_mmengine(tmp_path):
    theirs = _their_generator()
    plugin = tmp_path / 'plugin.pth'
    meta = convert_to_plugin('junyanz', {'G_A': _save(tmp_path, 'G_A', theirs)}, plugin)
    assert load_weights_file(plugin)['meta'] == meta

    from mmengine.runner import load_checkpoint

    generators = nn.ModuleDict(dict(A=ResnetGenerator(base_channels=8, num_blocks=3)))
    holder = nn.Module()
    holder.generators = generators
    load_checkpoint(holder, str(plugin), strict=True)
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(
            generators['A'].eval()(x), theirs(x), rtol=0, atol=1e-6
        )


def test_wrong_file_lists_the_keys(tmp_path):
    discriminator = _save(tmp_path, 'D_A', _their_discriminator())
    with pytest.raises(ValueError, match=r"G_A file .* no 4-D 'model.1.weight'"):
        junyanz_to_plugin({'G_A': discriminator})

    junk = _their_discriminator().state_dict()
    junk['junk'] = torch.zeros(1)
    junk['model.2.weight'] = 'not a tensor'
    torch.save(junk, tmp_path / 'junk.pth')
    with pytest.raises(
        ValueError, match=r'(?s)unexpected keys \(1\): junk.*model.2.weight: str'
    ):
        junyanz_to_plugin({'D_A': tmp_path / 'junk.pth'})

    state = _their_generator(n_blocks=3).state_dict()
    state['model.99.weight'] = torch.zeros(1)
    del state['model.20.bias']
    state['model.4.weight'] = torch.zeros(5, 8, 3, 3)
    broken = tmp_path / 'broken.pth'
    torch.save(state, broken)
    with pytest.raises(ValueError) as error:
        junyanz_to_plugin({'G_A': broken})
    message = str(error.value)
    assert 'missing keys (1): model.20.bias' in message
    assert 'unexpected keys (1): model.99.weight' in message
    assert 'model.4.weight: (5, 8, 3, 3) in the file, (16, 8, 3, 3) expected' in message


def test_bad_names_and_unconvertible_networks_raise(tmp_path):
    with pytest.raises(ValueError, match='one file per network'):
        junyanz_to_plugin({'checkpoint': tmp_path / 'x.pth'})
    with pytest.raises(ValueError, match='one file per network'):
        junyanz_to_plugin({})
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        junyanz_to_plugin({'G_A': tmp_path / 'missing.pth'})

    resize = ResnetGenerator(base_channels=4, num_blocks=1, upsample_mode='resize_conv')
    state = {f'generators.A.{k}': v for k, v in resize.state_dict().items()}
    with pytest.raises(ValueError, match=r'upsample\.0\.conv\.conv\.weight'):
        plugin_to_junyanz({'meta': {}, 'state_dict': state})
    with pytest.raises(ValueError, match='no key under generators'):
        plugin_to_junyanz({'meta': {}, 'state_dict': {'other.weight': torch.zeros(1)}})
    with pytest.raises(ValueError, match='unknown checkpoint format'):
        convert_to_plugin('nope', {}, tmp_path / 'out.pth')


def test_export_writes_only_the_networks_present(tmp_path):
    ours = ResnetGenerator(base_channels=4, num_blocks=2)
    state = {f'generators.B.{k}': v for k, v in ours.state_dict().items()}
    state['image_buffers.A.images'] = torch.zeros(1)  # not a network: left out
    plugin = tmp_path / 'plugin.pth'
    torch.save({'meta': {}, 'state_dict': state}, plugin)

    written = convert_from_plugin('junyanz', plugin, tmp_path / 'out')
    assert [p.name for p in written] == ['latest_net_G_B.pth']
    theirs = _TheirResnetGenerator(3, 3, 4, _instance_norm(), False, 2)
    theirs.load_state_dict(torch.load(written[0], weights_only=True))
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(theirs(x), ours(x), rtol=0, atol=1e-6)
