"""Score trivial translators with a config's test metrics.

``python tools/baseline_scores.py CONFIG --translator identity|ground-truth|untrained``

The identity translator (output = input) and, for aligned data, the ground
truth give the floor and the ceiling that a trained model's scores sit between;
the untrained model (the config's initial weights) is where training starts.
"""

import argparse
import json
import sys

from mmengine.config import DictAction

from cyclegan_plugin.apis import load_config
from cyclegan_plugin.apis.baselines import TRANSLATORS, score_baseline
from cyclegan_plugin.apis.cli import run_cli


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--translator', choices=TRANSLATORS, default='identity')
    parser.add_argument(
        '--metrics',
        nargs='+',
        metavar='TYPE',
        help="only the config's test metrics of these types, e.g. LabelScore PSNR",
    )
    parser.add_argument('--json', help='also write the scores here')
    parser.add_argument(
        '--data-root',
        help="the data set's folder for every dataloader (instead of the "
        "config's data_root)",
    )
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE'
    )
    args = parser.parse_args()
    cfg = load_config(args.config, args.cfg_options, data_root=args.data_root)
    if args.metrics:
        metrics = cfg.test_evaluator
        metrics = metrics if isinstance(metrics, list) else [metrics]
        cfg.test_evaluator = [m for m in metrics if m['type'] in args.metrics]
        unknown = set(args.metrics) - {m['type'] for m in cfg.test_evaluator}
        if unknown:
            raise ValueError(
                f'--metrics {sorted(unknown)} are not among the '
                f"config's test metrics {[m['type'] for m in metrics]}"
            )
    scores = score_baseline(cfg, args.translator)
    text = json.dumps({k: float(v) for k, v in scores.items()}, indent=2)
    print(text)
    if args.json:
        with open(args.json, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    sys.exit(run_cli(main))
