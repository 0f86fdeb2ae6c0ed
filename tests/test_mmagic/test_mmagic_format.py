"""MMagic checkpoint layout <-> ours, without MMagic: keys, channel order, errors."""

import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

import pytest
import torch

from cyclegan_plugin.converters.mmagic import (
    MMAGIC_FILE_NAME,
    mmagic_to_plugin,
    plugin_to_mmagic,
)
from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator


def _randomize(module: torch.nn.Module, seed: int) -> torch.nn.Module:
    # Non-zero biases too, so every tensor's placement is checked.
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
    return module.eval()


def _networks(**gen_kwargs):
    nets = {}
    for i, domain in enumerate('AB'):
        nets[f'generators.{domain}'] = _randomize(
            ResnetGenerator(base_channels=4, num_blocks=2, **gen_kwargs), i
        )
        nets[f'discriminators.{domain}'] = _randomize(
            PatchDiscriminator(base_channels=4, num_conv=2), 10 + i
        )
    return nets


def _plugin_state(nets) -> OrderedDict:
    state = OrderedDict()
    for prefix, net in nets.items():
        state.update((f'{prefix}.{k}', v) for k, v in net.state_dict().items())
    return state


def _to_mmagic_file(state, tmp_path, **kwargs):
    files = plugin_to_mmagic(dict(meta={}, state_dict=state), **kwargs)
    path = tmp_path / MMAGIC_FILE_NAME
    torch.save(files[MMAGIC_FILE_NAME], path)
    return path, files[MMAGIC_FILE_NAME]['state_dict']


def test_mmagic_keys_name_the_produced_domain(tmp_path):
    state = _plugin_state(_networks())
    _, mm = _to_mmagic_file(state, tmp_path, domains=('horse', 'zebra'))
    # G_A (horse -> zebra) is MMagic's generators.zebra; D_A judges zebras.
    torch.testing.assert_close(
        mm['generators.zebra.model.0.conv.weight'],
        state['generators.A.stem.conv.weight'].flip(1),
    )
    torch.testing.assert_close(
        mm['generators.horse.model.4.block.1.conv.bias'],
        state['generators.B.blocks.1.conv2.conv.bias'],
    )
    torch.testing.assert_close(
        mm['generators.zebra.model.7.conv.bias'],
        state['generators.A.head.conv.bias'].flip(0),
    )
    torch.testing.assert_close(
        mm['discriminators.zebra.model.3.weight'],
        state['discriminators.A.head.weight'],
    )
    assert len(mm) == len(state)
    assert {k.split('.')[1] for k in mm} == {'horse', 'zebra'}


@pytest.mark.parametrize('keep_bgr', [False, True])
def test_round_trip_is_exact(tmp_path, keep_bgr):
    state = _plugin_state(_networks(use_dropout=True))
    meta = dict(generators=dict(A=dict(use_dropout=True), B=dict(use_dropout=True)))
    files = plugin_to_mmagic(
        dict(meta=meta, state_dict=state), ('photo', 'mask'), keep_bgr=keep_bgr
    )
    mm = files[MMAGIC_FILE_NAME]['state_dict']
    # MMagic puts its dropout between block.0 and block.2.
    assert 'generators.mask.model.3.block.2.conv.weight' in mm
    path = tmp_path / 'mm.pth'
    torch.save(files[MMAGIC_FILE_NAME], path)
    back = mmagic_to_plugin(dict(checkpoint=path), ('photo', 'mask'), keep_bgr)
    assert set(back['state_dict']) == set(state)
    for key, value in state.items():
        assert torch.equal(back['state_dict'][key], value), key
    assert back['meta']['generators']['A']['use_dropout'] is True
    assert back['meta']['mmagic_domains'] == ['photo', 'mask']
    assert back['meta']['channel_order'] == ('BGR' if keep_bgr else 'RGB')


def test_bgr_weights_on_bgr_images_match_rgb_weights_on_rgb(tmp_path):
    nets = _networks()
    path, _ = _to_mmagic_file(_plugin_state(nets), tmp_path, domains=('a', 'b'))
    # keep_bgr: the networks stay as MMagic has them, seeing BGR.
    bgr = mmagic_to_plugin(dict(checkpoint=path), ('a', 'b'), keep_bgr=True)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    for prefix, rgb_net in nets.items():
        bgr_net = type(rgb_net)(
            base_channels=4,
            **({'num_blocks': 2} if 'gen' in prefix else {'num_conv': 2}),
        ).eval()
        bgr_net.load_state_dict(
            {
                k[len(prefix) + 1 :]: v
                for k, v in bgr['state_dict'].items()
                if k.startswith(prefix + '.')
            }
        )
        with torch.no_grad():
            expected, got = rgb_net(x), bgr_net(x.flip(1))
        if prefix.startswith('generators'):
            got = got.flip(1)  # BGR out -> RGB
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_domains_are_required_and_checked(tmp_path):
    path, _ = _to_mmagic_file(
        _plugin_state(_networks()), tmp_path, domains=('horse', 'zebra')
    )
    with pytest.raises(ValueError, match=r"\['horse', 'zebra'\]"):
        mmagic_to_plugin(dict(checkpoint=path))
    with pytest.raises(ValueError, match='not of'):
        mmagic_to_plugin(dict(checkpoint=path), ('horse', 'cat'))
    with pytest.raises(ValueError, match='one checkpoint file'):
        mmagic_to_plugin(dict(G_A=path), ('horse', 'zebra'))
    with pytest.raises(ValueError, match='--domains'):
        plugin_to_mmagic(dict(state_dict=_plugin_state(_networks())))


def test_foreign_or_broken_networks_are_refused(tmp_path):
    state = _plugin_state(_networks())
    path, mm = _to_mmagic_file(state, tmp_path, domains=('horse', 'zebra'))
    broken = OrderedDict(mm)
    broken['generators.zebra.extra.conv.weight'] = torch.zeros(1)
    torch.save(dict(state_dict=broken), path)
    with pytest.raises(ValueError, match='unexpected modules'):
        mmagic_to_plugin(dict(checkpoint=path), ('horse', 'zebra'))
    del broken['generators.zebra.extra.conv.weight']
    del broken['generators.zebra.model.5.conv.bias']
    torch.save(dict(state_dict=broken), path)
    with pytest.raises(ValueError, match='model.5|upsample.0'):
        mmagic_to_plugin(dict(checkpoint=path), ('horse', 'zebra'))
    # Resize-conv upsampling has no counterpart in MMagic's generator.
    resize = _plugin_state(_networks(upsample_mode='resize_conv'))
    with pytest.raises(ValueError, match='does not fit'):
        plugin_to_mmagic(dict(state_dict=resize), ('horse', 'zebra'))


def _cli(*args: str) -> subprocess.CompletedProcess:
    tool = Path(__file__).parents[2] / 'tools' / 'convert_checkpoint.py'
    return subprocess.run(
        [sys.executable, str(tool), *args], capture_output=True, text=True
    )


def test_cli_round_trip_and_errors(tmp_path):
    state = _plugin_state(_networks())
    path, _ = _to_mmagic_file(state, tmp_path, domains=('horse', 'zebra'))
    ours = tmp_path / 'ours.pth'
    done = _cli('--from', 'mmagic', str(path), '--domains', 'horse', 'zebra',
                '--out', str(ours))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert 'generators.A' in done.stdout
    # --to mmagic takes the domain names recorded by --from mmagic.
    done = _cli('--to', 'mmagic', str(ours), '--out-dir', str(tmp_path / 'mm'))
    assert done.returncode == 0, done.stderr
    back = torch.load(tmp_path / 'mm' / MMAGIC_FILE_NAME, weights_only=True)
    original = torch.load(path, weights_only=True)['state_dict']
    assert set(back['state_dict']) == set(original)
    for key, value in original.items():
        assert torch.equal(back['state_dict'][key], value), key

    done = _cli('--from', 'mmagic', str(path), '--out', str(tmp_path / 'x.pth'))
    assert done.returncode == 2 and '--domains' in done.stderr
    assert not (tmp_path / 'x.pth').exists()
    done = _cli('--to', 'junyanz', str(ours), '--out-dir', str(tmp_path), '--keep-bgr')
    assert done.returncode == 2 and 'go with --from/--to mmagic' in done.stderr
