"""tools/convert_checkpoint.py from the command line, both directions."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from cyclegan_plugin.converters import plugin_to_junyanz
from cyclegan_plugin.models.discriminators import PatchDiscriminator
from cyclegan_plugin.models.generators import ResnetGenerator

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'convert_checkpoint.py'


def _run(*args):
    return subprocess.run(
        [sys.executable, str(TOOL), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def _authors_files(tmp_path):
    """Authors'-layout files, made by exporting small random plugin networks."""
    torch.manual_seed(0)
    networks = {
        'generators.A': ResnetGenerator(base_channels=4, num_blocks=2),
        'discriminators.B': PatchDiscriminator(base_channels=4),
    }
    state = {
        f'{prefix}.{key}': value
        for prefix, net in networks.items()
        for key, value in net.state_dict().items()
    }
    files = {}
    for name, content in plugin_to_junyanz({'state_dict': state}).items():
        files[name] = tmp_path / name
        torch.save(content, files[name])
    return files, state


def test_from_and_to_junyanz(tmp_path):
    files, state = _authors_files(tmp_path)
    plugin = tmp_path / 'plugin.pth'

    done = _run(
        '--from',
        'junyanz',
        '--G-A',
        files['latest_net_G_A.pth'],
        '--D-B',
        files['latest_net_D_B.pth'],
        '--out',
        plugin,
    )
    assert done.returncode == 0, done.stderr
    assert 'num_blocks' in done.stdout and "'affine': False" in done.stdout
    checkpoint = torch.load(plugin, weights_only=True)
    assert list(checkpoint['state_dict']) == list(state)
    assert all(torch.equal(checkpoint['state_dict'][k], v) for k, v in state.items())

    done = _run('--to', 'junyanz', plugin, '--out-dir', tmp_path / 'back')
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / 'back').iterdir()) == sorted(files)
    for name, path in files.items():
        original = torch.load(path, weights_only=True)
        back = torch.load(tmp_path / 'back' / name, weights_only=True)
        assert all(torch.equal(back[k], v) for k, v in original.items())


def test_errors_exit_non_zero_and_write_nothing(tmp_path):
    files, _ = _authors_files(tmp_path)
    out = tmp_path / 'plugin.pth'

    wrong = _run(
        '--from', 'junyanz', '--G-A', files['latest_net_D_B.pth'], '--out', out
    )
    assert wrong.returncode == 2
    assert 'error: G_A file' in wrong.stderr and "'model.1.weight'" in wrong.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    'argv, message',
    [
        (['--from', 'junyanz', '--out', 'x.pth'], '--from needs input files'),
        (['--from', 'junyanz', '--G-A', 'g.pth'], '--from needs --out'),
        (['--to', 'junyanz', 'plugin.pth'], '--to needs the plugin checkpoint'),
        (
            ['--to', 'junyanz', 'p.pth', '--out-dir', 'd', '--G-A', 'g'],
            'go with --from',
        ),
        (['--from', 'mmagic2', '--out', 'x.pth'], "invalid choice: 'mmagic2'"),
    ],
)
def test_usage_errors(argv, message, capsys):
    spec = importlib.util.spec_from_file_location('convert_checkpoint_tool', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with pytest.raises(SystemExit) as error:
        tool.main(argv)
    assert error.value.code == 2
    assert message in capsys.readouterr().err


def test_pickled_input_needs_trust_checkpoint(tmp_path):
    """A file that needs unpickling code is refused unless trusted."""
    g = ResnetGenerator(base_channels=8, num_blocks=1)
    path = tmp_path / 'pickled.pth'
    torch.save(
        {
            'state_dict': {f'generators.A.{k}': v for k, v in g.state_dict().items()},
            'origin': Path('x'),
        },
        path,
    )
    tool = Path(__file__).resolve().parents[2] / 'tools' / 'convert_checkpoint.py'
    args = [
        sys.executable,
        str(tool),
        '--to',
        'junyanz',
        str(path),
        '--out-dir',
        str(tmp_path / 'out'),
    ]
    refused = subprocess.run(args, capture_output=True, text=True)
    assert refused.returncode == 2 and '--trust-checkpoint' in refused.stderr
    trusted = subprocess.run(
        args + ['--trust-checkpoint'], capture_output=True, text=True
    )
    assert trusted.returncode == 0, trusted.stderr
    assert (tmp_path / 'out' / 'latest_net_G_A.pth').is_file()


def _tool():
    spec = importlib.util.spec_from_file_location('convert_checkpoint_tool', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_an_output_that_is_an_input_is_refused(tmp_path):
    (tmp_path / 'authors').mkdir()
    files, _ = _authors_files(tmp_path / 'authors')
    g_a = files['latest_net_G_A.pth']
    before = g_a.read_bytes()
    tool = _tool()
    for extra in ([], ['--overwrite']):
        argv = ['--from', 'junyanz', '--G-A', str(g_a), '--out', str(g_a), *extra]
        with pytest.raises(ValueError, match=r"latest_net_G_A.pth' is the input"):
            tool.main(argv)
    assert g_a.read_bytes() == before
    # --to: a plugin checkpoint named like one of the files it would write.
    plugin = tmp_path / 'latest_net_G_A.pth'
    argv = ['--from', 'junyanz', '--G-A', str(g_a), '--out', str(plugin)]
    assert tool.main(argv) == 0
    before = plugin.read_bytes()
    with pytest.raises(ValueError, match='is the input'):
        tool.main(['--to', 'junyanz', str(plugin), '--out-dir', str(tmp_path)])
    assert plugin.read_bytes() == before


def test_existing_outputs_need_overwrite(tmp_path):
    (tmp_path / 'authors').mkdir()
    files, _ = _authors_files(tmp_path / 'authors')
    plugin = tmp_path / 'plugin.pth'
    plugin.write_bytes(b'old')
    tool = _tool()
    make = ['--from', 'junyanz', '--G-A', str(files['latest_net_G_A.pth'])]
    with pytest.raises(FileExistsError, match=r"plugin.pth'.*--overwrite"):
        tool.main([*make, '--out', str(plugin)])
    assert plugin.read_bytes() == b'old'
    assert tool.main([*make, '--out', str(plugin), '--overwrite']) == 0
    assert plugin.read_bytes() != b'old'

    # --to: one of the two files exists; neither is written without --overwrite.
    out = tmp_path / 'back'
    out.mkdir()
    (out / 'latest_net_D_B.pth').write_bytes(b'old')
    convert = [*make, '--D-B', str(files['latest_net_D_B.pth'])]
    assert tool.main([*convert, '--out', str(plugin), '--overwrite']) == 0
    done = _run('--to', 'junyanz', plugin, '--out-dir', out)
    assert done.returncode == 2
    assert done.stderr.startswith('error: 1 of the 2 output file(s) already exist')
    assert "latest_net_D_B.pth'" in done.stderr and '--overwrite' in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ['latest_net_D_B.pth']
    assert (
        _run('--to', 'junyanz', plugin, '--out-dir', out, '--overwrite').returncode == 0
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(files)
