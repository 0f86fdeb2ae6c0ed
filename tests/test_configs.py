"""The configs derive from their bases instead of restating them."""

from pathlib import Path

import mmengine.config.config as mmengine_config
import pytest
import torch
from mmengine.config import Config

from cyclegan_plugin.registry import MODELS

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
BASE_MODEL = CONFIGS / '_base_' / 'models' / 'cyclegan_resnet9_patchgan.py'
ADAM = CONFIGS / '_base_' / 'schedules' / 'adam_2e-4.py'
IN_MMAGIC = (
    CONFIGS
    / 'mmagic'
    / 'cyclegan_in-mmagic_resnet9-patchgan_1xb1-266800iters_horse2zebra.py'
)
WITH_MMAGIC = (
    CONFIGS
    / 'mmagic'
    / 'cyclegan_with-mmagic-metrics_resnet9-patchgan_1xb1-266800iters_horse2zebra.py'
)
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _load(path: Path) -> Config:
    # custom_imports of the MMagic configs name mmagic modules: not imported.
    return Config.fromfile(str(path), import_custom_modules=False)


def _changed_args(base: list, pipeline: list) -> dict:
    """``{step type: {arg: (base value, value)}}`` of the steps that differ."""
    assert [step.type for step in pipeline] == [step.type for step in base]
    changes = {}
    for old, new in zip(base, pipeline):
        assert old.keys() == new.keys(), new.type
        diff = {key: (old[key], new[key]) for key in old if old[key] != new[key]}
        if diff:
            changes[new.type] = diff
    return changes


CPU_TRAIN = {
    'ResizeImages': {'scale': (286, 72)},
    'RandomCropImages': {'crop_size': (256, 64)},
}


@pytest.mark.parametrize(
    'name, base, train_changes, test_changes',
    [
        (
            'cyclegan_h2z_cpu.py',
            'cyclegan_h2z.py',
            CPU_TRAIN,
            {'ResizeImages': {'scale': (256, 64)}},
        ),
        (
            'cyclegan_facades_cpu.py',
            'cyclegan_facades.py',
            CPU_TRAIN,
            # Two resize steps: photos bicubic, label maps nearest.
            None,
        ),
        (
            'cyclegan_h2z_1024-crop360.py',
            'cyclegan_h2z.py',
            {
                'ResizeImages': {'scale': (286, 1024)},
                'RandomCropImages': {'crop_size': (256, 360)},
            },
            {'ResizeImages': {'scale': (256, 1024)}},
        ),
        (
            'cyclegan_h2z_512.py',
            'cyclegan_h2z.py',
            {
                'ResizeImages': {'scale': (286, 572)},
                'RandomCropImages': {'crop_size': (256, 512)},
            },
            {'ResizeImages': {'scale': (256, 512)}},
        ),
    ],
)
def test_sized_configs_change_only_the_sizes_of_the_base_pipelines(
    name, base, train_changes, test_changes
):
    cfg, base_cfg = _load(CONFIGS / name), _load(CONFIGS / base)
    expected = dict(
        train_dataloader=train_changes,
        val_dataloader=test_changes,
        test_dataloader=test_changes,
    )
    for loader in LOADERS:
        pipeline = cfg[loader].dataset.pipeline
        base_pipeline = base_cfg[loader].dataset.pipeline
        if expected[loader] is None:
            load, resize, pack = base_pipeline
            assert pipeline == [
                load,
                dict(resize, keys=['img_A'], scale=64),
                dict(resize, keys=['img_B'], scale=64, interpolation='nearest'),
                pack,
            ]
            continue
        assert _changed_args(base_pipeline, pipeline) == expected[loader], loader
        # Everything else of the datasets is the base's.
        others = {k: v for k, v in cfg[loader].dataset.items() if k != 'pipeline'}
        base_others = {
            k: v for k, v in base_cfg[loader].dataset.items() if k != 'pipeline'
        }
        assert others == base_others, loader
    # The top-level variables are the pipelines the loaders use.
    assert cfg.train_pipeline == cfg.train_dataloader.dataset.pipeline
    assert cfg.test_pipeline == cfg.test_dataloader.dataset.pipeline


def test_aligned_base_is_the_unpaired_one_with_its_dataset_and_loading():
    aligned = _load(CONFIGS / '_base_' / 'datasets' / 'aligned_256.py')
    unpaired = _load(CONFIGS / '_base_' / 'datasets' / 'unpaired_256.py')
    for key in ('train_pipeline', 'test_pipeline'):
        assert aligned[key][0] == dict(type='LoadAlignedPair')
        assert unpaired[key][0].type == 'LoadTranslationImage'
        assert aligned[key][1:] == unpaired[key][1:]
    assert aligned.train_dataloader.dataset == dict(
        unpaired.train_dataloader.dataset,
        type='AlignedImageDataset',
        unpaired=True,
        pipeline=aligned.train_pipeline,
    )
    val = {k: v for k, v in unpaired.val_dataloader.dataset.items() if k != 'serial'}
    val.update(type='AlignedImageDataset', pipeline=aligned.test_pipeline)
    for loader in LOADERS:
        if loader != 'train_dataloader':
            assert aligned[loader].dataset == val, loader
        settings = {k: v for k, v in aligned[loader].items() if k != 'dataset'}
        assert settings == {
            k: v for k, v in unpaired[loader].items() if k != 'dataset'
        }, loader


def test_the_recipes_take_the_optimizers_from_the_schedules():
    adam = _load(ADAM).optim_wrapper
    assert 'optim_wrapper' not in _load(BASE_MODEL)
    for name in ('cyclegan_h2z.py', 'cyclegan_facades.py', 'cyclegan_demo.py'):
        assert _load(CONFIGS / name).optim_wrapper == adam, name
    # The CPU budget: the same Adam, in bf16 mixed precision.
    bf16 = dict(type='MixedPrecisionOptimWrapper', dtype='bfloat16')
    for name in ('cyclegan_h2z_cpu.py', 'cyclegan_facades_cpu.py'):
        wrappers = _load(CONFIGS / name).optim_wrapper
        assert wrappers == dict(
            adam,
            generators=dict(adam.generators, **bf16),
            discriminators=dict(adam.discriminators, **bf16),
        ), name


def test_cpu_budget_recipes_share_everything_but_the_data():
    h2z, facades = (
        _load(CONFIGS / f'cyclegan_{name}_cpu.py') for name in ('h2z', 'facades')
    )
    # The same networks and losses, but facades trains without the identity
    # loss (photo <-> labels, as the paper's experiments on label maps).
    assert facades.model.identity_loss is None
    assert h2z.model.identity_loss == dict(type='L1Loss', loss_weight=5.0)
    assert dict(h2z.model, identity_loss=None) == facades.model
    assert h2z.model.generator.num_blocks == 6
    assert h2z.model.generator.upsample_mode == 'resize_conv'
    # 34x34 patches: each of the 14x14 outputs judges a part of a 64 px image.
    discriminator = MODELS.build(h2z.model.discriminator)
    with torch.no_grad():
        assert discriminator(torch.zeros(1, 3, 64, 64)).shape == (1, 1, 14, 14)
    for loader in LOADERS:
        for key in ('batch_size', 'num_workers'):
            assert h2z[loader][key] == facades[loader][key], (loader, key)
    assert h2z.train_dataloader.batch_size == 4
    assert h2z.train_cfg.max_iters == 2 * h2z.param_scheduler.begin == 16000
    # Ends within the 2-hour budget on any machine: the run is planned to fit.
    deadline = [h for h in h2z.custom_hooks if h.type == 'DeadlineHook']
    assert deadline == [dict(type='DeadlineHook', minutes=117.0, fit_schedule=True)]
    assert facades.train_cfg.max_iters == 2 * facades.param_scheduler.begin


@pytest.fixture
def mmagic_bases(tmp_path, monkeypatch):
    """Stand-ins for MMagic's two bases: ``mmagic::`` resolves without MMagic.

    The tests check what our files add to them. The runtime's keys that our
    bases must not repeat (MMEngine refuses a key set by two bases) are there.
    """
    root = tmp_path / 'mmagic'
    bases = root / '.mim' / 'configs' / '_base_'
    (bases / 'datasets').mkdir(parents=True)
    (root / '.mim' / 'model-index.yml').write_text('Import: []\n')
    (bases / 'datasets' / 'unpaired_imgs_256x256.py').write_text(
        'train_pipeline = []\ntest_pipeline = []\n'
    )
    (bases / 'gen_default_runtime.py').write_text(
        "default_scope = 'mmagic'\n"
        "optim_wrapper = dict(constructor='MultiOptimWrapperConstructor')\n"
        'train_cfg = dict(by_epoch=False)\n'
        "val_cfg = dict(type='MultiValLoop')\n"
        "test_cfg = dict(type='MultiTestLoop')\n"
    )
    monkeypatch.setattr(mmengine_config, 'is_installed', lambda pkg: pkg == 'mmagic')
    monkeypatch.setattr(mmengine_config, 'get_installed_path', lambda pkg: str(root))


def test_mmagic_configs_inherit_our_model(mmagic_bases):
    base = _load(BASE_MODEL).model
    in_mmagic = _load(IN_MMAGIC)
    assert in_mmagic.default_scope == 'mmagic'
    # Only the names MMagic's scope must find carry our prefix.
    assert in_mmagic.model == dict(
        base,
        type='cyclegan_plugin.CycleGAN',
        data_preprocessor=dict(type='cyclegan_plugin.MMagicDataPreprocessor'),
    )
    with_mmagic = _load(WITH_MMAGIC)
    assert with_mmagic.default_scope == 'cyclegan_plugin'
    assert with_mmagic.model == dict(
        base, data_preprocessor=dict(type='MMagicDataPreprocessor')
    )
    assert with_mmagic.optim_wrapper == _load(ADAM).optim_wrapper


def test_holdout_recipe_validates_on_training_images_it_does_not_train_on(tmp_path):
    from cyclegan_plugin.apis import load_config
    from cyclegan_plugin.datasets import write_synthetic_dataset
    from cyclegan_plugin.registry import DATASETS

    root = write_synthetic_dataset(
        tmp_path / 'data', num_train=40, num_test=2, img_size=8, seed=0
    )
    recipe = _load(CONFIGS / 'cyclegan_h2z_cpu.py')
    cfg = load_config(str(CONFIGS / 'cyclegan_h2z_cpu_holdout.py'), data_root=str(root))
    for key in ('model', 'optim_wrapper', 'param_scheduler', 'train_cfg'):
        assert cfg[key] == recipe[key], key
    train, val, test = (DATASETS.build(cfg[loader].dataset) for loader in LOADERS)
    for domain in ('A', 'B'):
        trained = set(getattr(train, f'paths_{domain}'))
        held = set(getattr(val, f'paths_{domain}'))
        assert held == set(getattr(test, f'paths_{domain}'))
        assert held and trained.isdisjoint(held)
        assert {Path(p).parent.name for p in trained | held} == {f'train{domain}'}
        assert len(trained) + len(held) == 40


def test_facades_selection_config_validates_on_the_val_split(tmp_path):
    import cv2
    import numpy as np

    from cyclegan_plugin.apis import load_config
    from cyclegan_plugin.registry import DATASETS

    for split in ('train', 'val', 'test'):
        (tmp_path / split).mkdir()
        for i in range(3):
            pair = np.full((16, 32, 3), 40 * i, np.uint8)  # photo | label map
            cv2.imwrite(str(tmp_path / split / f'{i}.jpg'), pair)
    recipe = _load(CONFIGS / 'cyclegan_facades_cpu.py')
    cfg = load_config(
        str(CONFIGS / 'cyclegan_facades_cpu_val.py'), data_root=str(tmp_path)
    )
    for key in (
        'model',
        'optim_wrapper',
        'param_scheduler',
        'train_cfg',
        'val_evaluator',
    ):
        assert cfg[key] == recipe[key], key
    assert cfg.val_dataloader.dataset.pipeline == recipe.val_dataloader.dataset.pipeline
    train, val, test = (DATASETS.build(cfg[loader].dataset) for loader in LOADERS)
    for dataset, split in ((train, 'train'), (val, 'val'), (test, 'val')):
        dataset.full_init()
        assert {Path(p).parent.name for p in dataset.paths} == {split}


def test_label_map_recipes_test_with_bootstrap_spreads_and_validate_without():
    for name in (
        'cyclegan_facades_cpu.py',
        'cyclegan_facades.py',
        'cyclegan_cityscapes.py',
    ):
        cfg = _load(CONFIGS / name)
        rounds = {m['type']: m.get('bootstrap', 0) for m in cfg.test_evaluator}
        assert rounds['FID'] == rounds['LabelScore'] == rounds['FCNScore'] == 100, name
        # Validation during training stays cheap: no resampling.
        assert all('bootstrap' not in m for m in cfg.val_evaluator), name
