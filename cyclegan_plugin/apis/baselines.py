"""Scores of trivial translators, to put a model's scores in context."""

from typing import Dict, Literal

from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.structures import BaseDataElement

from cyclegan_plugin.registry import METRICS

Translator = Literal['identity', 'ground-truth']


def score_baseline(
    cfg: Config, translator: Translator = 'identity'
) -> Dict[str, float]:
    """Run the config's test metrics on a trivial translator.

    ``'identity'`` returns the input unchanged (``fake_B = real_A``,
    ``fake_A = real_B``): what the metrics give a model that learned nothing
    but reconstruction. ``'ground-truth'`` returns the true counterpart of
    aligned data (``fake_B = real_B``): the best any model can score.

    Args:
        cfg (Config): A config with ``test_dataloader`` and ``test_evaluator``.
        translator (str): ``'identity'`` or ``'ground-truth'``.

    Returns:
        dict[str, float]: The metrics.

    Raises:
        ValueError: For ``'ground-truth'`` on unaligned data, or an unknown
            translator.
    """
    if translator not in ('identity', 'ground-truth'):
        raise ValueError(
            f"translator must be 'identity' or 'ground-truth', but got {translator!r}"
        )
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        loader = Runner.build_dataloader(cfg.test_dataloader)
        metrics_cfg = cfg.test_evaluator
        metrics_cfg = metrics_cfg if isinstance(metrics_cfg, list) else [metrics_cfg]
        evaluator = Evaluator([METRICS.build(m) for m in metrics_cfg])
    for batch in loader:
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
