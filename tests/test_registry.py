"""Every registered component builds from config; networks give sane outputs.

The tables must list every registered name: a new component fails this test
until it is added here with a config that builds it.
"""

import pytest
import torch

from cyclegan_plugin import registry as R

SMALL_G = dict(base_channels=8)
NETWORKS = {
    'ResnetGenerator': (dict(num_blocks=2, **SMALL_G), (2, 3, 32, 32), (2, 3, 32, 32)),
    'UnetGenerator': (dict(num_downs=5, **SMALL_G), (2, 3, 32, 32), (2, 3, 32, 32)),
    'PatchDiscriminator': (dict(base_channels=8), (2, 3, 64, 64), (2, 1, 6, 6)),
    'PixelDiscriminator': (dict(base_channels=8), (2, 3, 32, 32), (2, 1, 32, 32)),
}
TINY_CYCLE = dict(
    generator=dict(type='ResnetGenerator', num_blocks=1, base_channels=8),
    discriminator=dict(type='PatchDiscriminator', base_channels=8, num_conv=2),
)
OTHER_MODELS = {
    'CycleGAN': TINY_CYCLE,
    'CycleGenerators': dict(generator_A=TINY_CYCLE['generator']),
    'CycleDiscriminators': dict(discriminator_A=TINY_CYCLE['discriminator']),
    'CycleGANDataPreprocessor': {},
    'GANLoss': dict(gan_type='vanilla'),
    'GradientPenaltyLoss': {},
    'ImageBuffer': dict(buffer_size=3),
    'L1Loss': dict(loss_weight=10.0),
    'CUT': dict(
        generator=dict(type='ResnetGenerator', num_blocks=5, base_channels=4),
        discriminator=TINY_CYCLE['discriminator'],
    ),
    'CUTGenerators': dict(
        generator=TINY_CYCLE['generator'],
        sampler=dict(type='PatchSampleF', num_channels=8),
        nce_layers=['stem.pad', 'blocks.0'],
    ),
    'CUTDiscriminator': dict(discriminator=TINY_CYCLE['discriminator']),
    'PatchSampleF': dict(in_channels=[3, 16]),
    'PatchNCELoss': dict(temperature=0.07),
    'BlurDownsample': dict(channels=4),
    'BlurUpsample': dict(channels=4),
}
TRANSFORMS = {
    'LoadTranslationImage': dict(keys=['img_A']),
    'LoadAlignedPair': {},
    'ResizeImages': dict(scale=32),
    'RandomCropImages': dict(crop_size=16),
    'RandomFlipImages': dict(prob=0.5),
    'PackTranslationInputs': {},
}
METRICS = {
    'FID': {},
    'KID': {},
    'PSNR': {},
    'SSIM': {},
    'L1': {},
    'LabelScore': dict(palette='facades'),
    'FCNScore': dict(palette='facades'),
}
HOOKS = {
    'DeadlineHook': dict(minutes=1),
    'ResumeStateHook': {},
    'RobustCheckpointHook': dict(interval=100),
    'SaveTranslationsHook': dict(out_dir='out'),
    'TranslationVisualizationHook': dict(interval=10),
}
OTHERS = {
    R.RUNNERS: ['RobustRunner'],  # built from a config in test_robust_runner
    R.OPTIM_WRAPPERS: ['MixedPrecisionOptimWrapper'],  # test_optimizers
    R.OPTIM_WRAPPER_CONSTRUCTORS: ['MultiOptimWrapperConstructor'],
    R.DATASETS: [
        'AlignedImageDataset',
        'SyntheticStripesDataset',
        'UnpairedImageDataset',
    ],  # tests/test_datasets
    # test_segmentation_metrics: a crafted file through init_cfg runs no code.
    R.WEIGHT_INITIALIZERS: ['Pretrained'],
}


def ours(registry):
    """Names the package registered (tests may register stand-ins too)."""
    return {
        name
        for name, obj in registry.module_dict.items()
        if obj.__module__.startswith('cyclegan_plugin.')
    }


def test_tables_cover_every_registered_component():
    # Registered when models/data_preprocessors/mmagic_data_preprocessor.py is
    # imported; it needs MMagic to build (tests/test_mmagic).
    mmagic_only = {'MMagicDataPreprocessor'}
    assert ours(R.MODELS) - mmagic_only == set(NETWORKS) | set(OTHER_MODELS)
    assert ours(R.TRANSFORMS) == set(TRANSFORMS)
    assert ours(R.METRICS) == set(METRICS)
    assert ours(R.HOOKS) == set(HOOKS)
    for registry, names in OTHERS.items():
        assert ours(registry) == set(names), registry.name


@pytest.mark.parametrize('name', sorted(NETWORKS))
def test_network_builds_and_gives_finite_output(name):
    cfg, in_shape, out_shape = NETWORKS[name]
    net = R.MODELS.build(dict(type=name, **cfg))
    net.init_weights()
    out = net(torch.rand(in_shape) * 2 - 1)
    assert out.shape == out_shape and torch.isfinite(out).all()
    if 'Generator' in name:
        assert out.min() >= -1 and out.max() <= 1


def test_default_networks_are_the_papers():
    g = R.MODELS.build(dict(type='ResnetGenerator'))
    d = R.MODELS.build(dict(type='PatchDiscriminator'))
    assert sum(p.numel() for p in g.parameters()) == 11_378_179
    assert sum(p.numel() for p in d.parameters()) == 2_764_737
    with torch.no_grad():
        assert d(torch.zeros(1, 3, 256, 256)).shape == (1, 1, 30, 30)


@pytest.mark.parametrize('name', sorted(OTHER_MODELS))
def test_other_models_build(name):
    assert isinstance(
        R.MODELS.build(dict(type=name, **OTHER_MODELS[name])), torch.nn.Module
    )


@pytest.mark.parametrize('name', sorted(TRANSFORMS))
def test_transforms_build(name):
    assert callable(R.TRANSFORMS.build(dict(type=name, **TRANSFORMS[name])))


@pytest.mark.parametrize('name', sorted(METRICS))
def test_metrics_build(name):
    metric = R.METRICS.build(dict(type=name, **METRICS[name]))
    assert hasattr(metric, 'process') and hasattr(metric, 'compute_metrics')


@pytest.mark.parametrize('name', sorted(HOOKS))
def test_hooks_build(name):
    assert R.HOOKS.build(dict(type=name, **HOOKS[name])) is not None


def test_reachable_from_another_scope():
    """Other OpenMMLab scopes reach our components by the scope prefix."""
    from mmengine.registry import MODELS as ROOT_MODELS
    from mmengine.registry import DefaultScope

    with DefaultScope.overwrite_default_scope('mmengine'):
        net = ROOT_MODELS.build(
            dict(type='cyclegan_plugin.PatchDiscriminator', base_channels=8)
        )
    assert type(net).__name__ == 'PatchDiscriminator'


@pytest.mark.parametrize('palette, classes', [('facades', 12), ('cityscapes', 19)])
def test_named_palettes(palette, classes):
    import numpy as np
    from mmengine.structures import BaseDataElement

    from cyclegan_plugin.evaluation.palettes import PALETTES

    metric = R.METRICS.build(dict(type='LabelScore', palette=palette))
    names, colours = PALETTES[palette]
    assert len(names) == len(colours) == classes
    # A label map holding every class once, predicted perfectly, scores 1.
    row = torch.tensor(np.array(colours, np.uint8).T[:, None, :])  # (3, 1, K)
    metric.process(
        None,
        [
            BaseDataElement(
                real_A=row, fake_B=row, real_B=row, metainfo=dict(aligned=True)
            )
        ],
    )
    scores = metric.compute_metrics(metric.results)
    assert scores['mIoU-AtoB'] == pytest.approx(1.0)
