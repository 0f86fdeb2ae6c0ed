"""Scores of trivial translators, to put a model's scores in context."""

from typing import Dict, Literal

import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.structures import BaseDataElement

from cyclegan_plugin.registry import METRICS, MODELS

Translator = Literal['identity', 'ground-truth', 'untrained']
TRANSLATORS = ('identity', 'ground-truth', 'untrained')


def _untrained_model(cfg: Config) -> torch.nn.Module:
    """The config's model with its initial weights (seeded by ``randomness``)."""
    from mmengine.runner import set_random_seed

    set_random_seed(cfg.get('randomness', {}).get('seed', 0))
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


def score_baseline(
    cfg: Config, translator: Translator = 'identity'
) -> Dict[str, float]:
    """Run the config's test metrics on a trivial translator.

    ``'identity'`` returns the input unchanged (``fake_B = real_A``,
    ``fake_A = real_B``): what the metrics give a model that learned nothing
    but reconstruction. ``'ground-truth'`` returns the true counterpart of
    aligned data (``fake_B = real_B``): the best any model can score.
    ``'untrained'`` is the config's model with its initial weights (the
    ``randomness.seed`` of the config, ``init_weights()``): where training
    starts.

    Args:
        cfg (Config): A config with ``test_dataloader`` and ``test_evaluator``.
        translator (str): ``'identity'``, ``'ground-truth'`` or ``'untrained'``.

    Returns:
        dict[str, float]: The metrics.

    Raises:
        ValueError: For ``'ground-truth'`` on unaligned data, or an unknown
            translator.
    """
    if translator not in TRANSLATORS:
        raise ValueError(
            f'translator must be one of {TRANSLATORS}, but got {translator!r}'
        )
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        loader = Runner.build_dataloader(cfg.test_dataloader)
        metrics_cfg = cfg.test_evaluator
        metrics_cfg = metrics_cfg if isinstance(metrics_cfg, list) else [metrics_cfg]
        evaluator = Evaluator([METRICS.build(m) for m in metrics_cfg])
        model = _untrained_model(cfg) if translator == 'untrained' else None
    for batch in loader:
        if model is not None:
            with torch.no_grad():
                evaluator.process(data_samples=model.test_step(batch), data_batch=batch)
            continue
        samples = []
        for i, meta in enumerate(batch['data_samples']):
            if translator == 'ground-truth' and not meta.metainfo.get('aligned'):
                raise ValueError(
                    f'{meta.metainfo.get("img_A_path")} has no ground truth '
                    '(aligned=False): use an aligned test set.'
                )
            real_A, real_B = batch['inputs']['img_A'][i], batch['inputs']['img_B'][i]
            fake_B, fake_A = (
                (real_A, real_B) if translator == 'identity' else (real_B, real_A)
            )
            sample = BaseDataElement(metainfo=meta.metainfo)
            for name, value in dict(
                real_A=real_A,
                real_B=real_B,
                fake_B=fake_B,
                fake_A=fake_A,
                rec_A=real_A,
                rec_B=real_B,
            ).items():
                sample.set_field(value, name)
            samples.append(sample)
        evaluator.process(data_samples=samples, data_batch=batch)
    return evaluator.evaluate(len(loader.dataset))
