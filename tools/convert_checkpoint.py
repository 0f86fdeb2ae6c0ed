"""Convert CycleGAN checkpoints between the plugin and other code bases.

The CycleGAN authors' files (junyanz/pytorch-CycleGAN-and-pix2pix) into one
plugin checkpoint (a generator alone is enough):

    python tools/convert_checkpoint.py --from junyanz \\
        --G-A latest_net_G_A.pth [--G-B ...] [--D-A ...] [--D-B ...] --out plugin.pth

A plugin checkpoint into the authors' files (latest_net_{G_A,G_B,D_A,D_B}.pth,
those present):

    python tools/convert_checkpoint.py --to junyanz plugin.pth --out-dir DIR

An MMagic 1.2.0 CycleGAN checkpoint, naming its domains A then B (its networks
see BGR; they are converted to RGB unless --keep-bgr), and back:

    python tools/convert_checkpoint.py --from mmagic mmagic.pth \\
        --domains horse zebra --out plugin.pth
    python tools/convert_checkpoint.py --to mmagic plugin.pth --out-dir DIR

The CUT authors' files (taesungp/contrastive-unpaired-translation) for the CUT
of a config, and back (latest_net_{G,F,D}.pth):

    python tools/convert_checkpoint.py --from cut --config configs/cut_h2z.py \\
        --G latest_net_G.pth [--F latest_net_F.pth] [--D ...] --out plugin.pth
    python tools/convert_checkpoint.py --to cut plugin.pth \\
        --config configs/cut_h2z.py --out-dir DIR

An output that already exists is replaced only with --overwrite; an output that
is one of the inputs is always refused. Both are checked before writing.
"""

import argparse
import sys
from contextlib import nullcontext
from typing import List, Optional

from cyclegan_plugin.apis.cli import run_cli
from cyclegan_plugin.converters import (
    FROM_PLUGIN,
    JUNYANZ_ROLES,
    TO_PLUGIN,
    convert_from_plugin,
    convert_to_plugin,
)
from cyclegan_plugin.converters.taesungp_cut import CUT_ROLES
from cyclegan_plugin.models.weights import trust_checkpoints


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    direction = parser.add_mutually_exclusive_group(required=True)
    direction.add_argument(
        '--from', dest='src_format', choices=sorted(TO_PLUGIN), help='input format'
    )
    direction.add_argument(
        '--to', dest='dst_format', choices=sorted(FROM_PLUGIN), help='output format'
    )
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='--to: the plugin checkpoint; --from: the input of single-file formats',
    )
    for role in JUNYANZ_ROLES:
        parser.add_argument(
            f'--{role.replace("_", "-")}', dest=role, help=f'{role} file (--from)'
        )
    for role in CUT_ROLES:
        parser.add_argument(f'--{role}', dest=f'cut_{role}', help=f'cut: {role} file')
    parser.add_argument(
        '--config', help='cut: the config of the CUT the weights are for'
    )
    parser.add_argument(
        '--domains',
        nargs=2,
        metavar=('A_NAME', 'B_NAME'),
        help='mmagic: its names of our domains A and B, e.g. horse zebra (--to '
        'mmagic defaults to the names recorded by --from mmagic)',
    )
    parser.add_argument(
        '--keep-bgr',
        action='store_true',
        help='mmagic: copy the weights as they are, without reversing the image '
        "channels between MMagic's BGR and our RGB",
    )
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='read input files that need unpickling Python objects (only for '
        'files from a source you trust: unpickling can run code)',
    )
    parser.add_argument('--out', help='--from: the plugin checkpoint to write')
    parser.add_argument('--out-dir', help='--to: folder for the output files')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace output files that already exist (never an input)',
    )
    args = parser.parse_args(argv)

    roles = {role: getattr(args, role) for role in JUNYANZ_ROLES}
    roles.update((role, getattr(args, f'cut_{role}')) for role in CUT_ROLES)
    is_cut = 'cut' in (args.src_format, args.dst_format)
    if is_cut != bool(args.config):
        parser.error('--config goes with --from/--to cut, which needs it')
    if not is_cut and any(getattr(args, f'cut_{r}') for r in CUT_ROLES):
        parser.error('--G/--F/--D go with --from cut')
    if (args.domains or args.keep_bgr) and 'mmagic' not in (
        args.src_format,
        args.dst_format,
    ):
        parser.error('--domains and --keep-bgr go with --from/--to mmagic')
    if args.src_format:
        if not args.out:
            parser.error('--from needs --out')
        if not (args.checkpoint or any(roles.values())):
            parser.error('--from needs input files, e.g. --G-A latest_net_G_A.pth')
    else:
        if not (args.checkpoint and args.out_dir):
            parser.error('--to needs the plugin checkpoint and --out-dir')
        if any(roles.values()) or args.out:
            parser.error(
                '--G-A/--G-B/--D-A/--D-B, --G/--F/--D and --out go with --from'
            )
    return args


def _options(args: argparse.Namespace) -> dict:
    """Format-specific options the user gave (MMagic's and CUT's take some)."""
    if 'cut' in (args.src_format, args.dst_format):
        return dict(model=args.config)
    if 'mmagic' not in (args.src_format, args.dst_format):
        return {}
    return dict(domains=args.domains, keep_bgr=args.keep_bgr)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    trusted = trust_checkpoints() if args.trust_checkpoint else nullcontext()
    with trusted:
        _convert(args)
    return 0


def _convert(args: argparse.Namespace) -> None:
    """Run the conversion the arguments ask for."""
    if args.src_format:
        sources = {role: getattr(args, role) for role in JUNYANZ_ROLES}
        sources.update((role, getattr(args, f'cut_{role}')) for role in CUT_ROLES)
        sources = {role: path for role, path in sources.items() if path}
        if args.checkpoint:
            sources['checkpoint'] = args.checkpoint
        meta = convert_to_plugin(
            args.src_format,
            sources,
            args.out,
            overwrite=args.overwrite,
            **_options(args),
        )
        print(f'wrote {args.out}')
        for group in ('generators', 'discriminators'):
            for domain, cfg in meta.get(group, {}).items():
                print(f'  {group}.{domain}: {cfg}')
    else:
        for path in convert_from_plugin(
            args.dst_format,
            args.checkpoint,
            args.out_dir,
            overwrite=args.overwrite,
            **_options(args),
        ):
            print(f'wrote {path}')


if __name__ == '__main__':
    sys.exit(run_cli(main))
