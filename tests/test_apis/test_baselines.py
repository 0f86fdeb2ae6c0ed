import math

import pytest
from mmengine.config import Config

from cyclegan_plugin.apis.baselines import score_baseline


def synthetic_cfg(**dataset):
    return Config(
        dict(
            test_dataloader=dict(
                batch_size=4,
                num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=False),
                dataset=dict(
                    type='SyntheticStripesDataset',
                    num_samples=8,
                    img_size=32,
                    pipeline=[dict(type='PackTranslationInputs')],
                    **dataset,
                ),
            ),
            test_evaluator=[
                dict(type='PSNR', directions=('AtoB', 'BtoA')),
                dict(type='L1', directions=('AtoB',)),
            ],
        )
    )


def test_ground_truth_is_perfect_and_identity_is_not():
    cfg = synthetic_cfg(split='test')
    best = score_baseline(cfg, 'ground-truth')
    assert math.isinf(best['PSNR-AtoB']) and best['L1-AtoB'] == 0
    floor = score_baseline(cfg, 'identity')
    assert 0 < floor['PSNR-AtoB'] < 40 and floor['L1-AtoB'] > 0


def test_ground_truth_needs_aligned_data():
    with pytest.raises(ValueError, match='aligned'):
        score_baseline(synthetic_cfg(split='train'), 'ground-truth')
    with pytest.raises(ValueError, match='translator'):
        score_baseline(synthetic_cfg(split='test'), 'random')


def test_untrained_model_scores_its_initial_weights():
    cfg = synthetic_cfg(split='test')
    cfg.model = dict(
        type='CycleGAN',
        data_preprocessor=dict(type='CycleGANDataPreprocessor'),
        generator=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
        discriminator=dict(type='PatchDiscriminator', base_channels=4, num_conv=1),
    )
    cfg.randomness = dict(seed=7)
    first = score_baseline(cfg, 'untrained')
    # Seeded: the same initial weights, the same scores; not the identity.
    assert first == score_baseline(cfg, 'untrained')
    assert 0 < first['PSNR-AtoB'] < score_baseline(cfg, 'identity')['PSNR-AtoB']
    cfg.randomness = dict(seed=8)
    assert score_baseline(cfg, 'untrained') != first
