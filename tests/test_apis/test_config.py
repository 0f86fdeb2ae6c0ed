from pathlib import Path

import pytest

from cyclegan_plugin.apis import enable_amp, enable_winograd, load_config

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
H2Z = str(CONFIGS / 'cyclegan_h2z.py')


@pytest.mark.parametrize(
    'key',
    [
        'model.generator.num_blocks',  # a constructor default, not in the file
        'train_cfg.dynamic_intervals',
        'optim_wrapper.generators.optimizer.weight_decay',
        'train_dataloader.dataset.max_dataset_size',
        'default_hooks.checkpoint.interval',
    ],
)
def test_valid_overrides_apply(key):
    cfg = load_config(H2Z, {key: 7})
    node = cfg
    for part in key.split('.'):
        node = node[part]
    assert node == 7


@pytest.mark.parametrize(
    'key, hint',
    [
        ('train_cfg.max_iter', 'max_iters'),
        ('model.generator.num_block', 'num_blocks'),
        ('modle.generator', 'model'),
        ('default_hooks.checkpont.interval', 'checkpoint'),
    ],
)
def test_typos_are_named_with_a_suggestion(key, hint):
    with pytest.raises(KeyError) as err:
        load_config(H2Z, {key: 1})
    assert repr(key.split('.')[-1]) in str(err.value) or key in str(err.value)
    assert hint in str(err.value)


def test_work_dir_default_and_missing_file(tmp_path):
    assert load_config(H2Z).work_dir.endswith('work_dirs/cyclegan_h2z')
    assert load_config(H2Z, work_dir=str(tmp_path)).work_dir == str(tmp_path)
    with pytest.raises(FileNotFoundError, match='nope.py'):
        load_config(str(tmp_path / 'nope.py'))


def test_enable_amp_switches_both_wrappers():
    cfg = enable_amp(load_config(H2Z), 'bfloat16')
    for name in ('generators', 'discriminators'):
        assert cfg.optim_wrapper[name].type == 'MixedPrecisionOptimWrapper'
        assert cfg.optim_wrapper[name].dtype == 'bfloat16'


def test_enable_winograd_sets_the_generator_convs():
    assert not load_config(H2Z).env_cfg.keep_freed_cpu_memory
    cfg = enable_winograd(load_config(H2Z))
    assert cfg.model.generator.conv_cfg == dict(type='WinogradConv2d')
    assert cfg.model.generator.head_conv_cfg == dict(type='ThinConv2d')
    assert cfg.model.generator.norm_cfg == dict(type='FusedIN', affine=False)
    assert cfg.env_cfg.keep_freed_cpu_memory
    # The config-file form says the same, and batches the generator calls.
    fast = load_config(str(CONFIGS / 'cyclegan_h2z_fast-cpu.py'))
    assert fast.model.generator.conv_cfg == cfg.model.generator.conv_cfg
    assert fast.model.generator.head_conv_cfg == cfg.model.generator.head_conv_cfg
    assert fast.model.generator.norm_cfg == cfg.model.generator.norm_cfg
    # Instance norm with affine parameters keeps PyTorch's layer.
    affine = load_config(H2Z)
    affine.model.generator.norm_cfg = dict(type='IN', affine=True)
    assert enable_winograd(affine).model.generator.norm_cfg.type == 'IN'
    assert fast.model.batch_generator_calls and fast.env_cfg.keep_freed_cpu_memory
    unet = load_config(H2Z)
    unet.model.generator = dict(type='UnetGenerator')
    with pytest.raises(ValueError, match='UnetGenerator'):
        enable_winograd(unet)
    no_generator = load_config(H2Z)
    no_generator.model.pop('generator')
    with pytest.raises(KeyError, match='model.generator'):
        enable_winograd(no_generator)


def test_every_shipped_config_parses():
    for path in sorted(CONFIGS.glob('cyclegan_*.py')):
        cfg = load_config(str(path))
        assert cfg.model.type == 'CycleGAN', path.name
        assert cfg.default_scope == 'cyclegan_plugin', path.name
