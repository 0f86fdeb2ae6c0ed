import os
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


def test_enable_amp_float16_is_mmengines_amp_wrapper():
    cfg = load_config(H2Z)
    cfg.optim_wrapper.generators.loss_scale = 512.0
    cfg = enable_amp(cfg, 'float16')
    for name in ('generators', 'discriminators'):
        assert cfg.optim_wrapper[name].type == 'AmpOptimWrapper'
        assert cfg.optim_wrapper[name].dtype == 'float16'
    # A configured fp16 loss scale is kept; bf16 has no use for one.
    assert cfg.optim_wrapper.generators.loss_scale == 512.0
    cfg = enable_amp(cfg, 'bfloat16')
    assert cfg.optim_wrapper.generators.type == 'MixedPrecisionOptimWrapper'
    assert 'loss_scale' not in cfg.optim_wrapper.generators


def test_enable_winograd_sets_the_one_switch():
    assert not load_config(H2Z).model.get('cpu_kernels', False)
    cfg = enable_winograd(load_config(H2Z))
    assert cfg.model.cpu_kernels is True
    # The generator configs do not change: the model converts its layers.
    assert cfg.model.generator == load_config(H2Z).model.generator
    assert 'keep_freed_cpu_memory' not in cfg.env_cfg
    # The config-file form says the same.
    fast = load_config(str(CONFIGS / 'cyclegan_h2z_fast-cpu.py'))
    assert fast.model == cfg.model and fast.env_cfg == cfg.env_cfg
    not_a_cycle_gan = load_config(H2Z)
    not_a_cycle_gan.model = dict(type='ResnetGenerator')
    with pytest.raises(ValueError, match='ResnetGenerator'):
        enable_winograd(not_a_cycle_gan)
    no_model = load_config(H2Z)
    no_model.pop('model')
    with pytest.raises(KeyError, match='model'):
        enable_winograd(no_model)


def test_every_shipped_config_parses():
    for path in sorted(CONFIGS.glob('cyclegan_*.py')):
        cfg = load_config(str(path))
        assert cfg.model.type == 'CycleGAN', path.name
        assert cfg.default_scope == 'cyclegan_plugin', path.name


@pytest.mark.parametrize(
    'key, value, expected',
    [
        ('train_cfg.max_iters', 'abc', 'expected an integer (the config has 266800)'),
        ('train_cfg.max_iters', 1.5, 'expected an integer'),
        ('optim_wrapper.generators.optimizer.lr', 'abc', 'expected a number'),
        (
            'model.generator.num_blocks',
            'nine',
            'expected an integer (the config has 9)',
        ),
        ('optim_wrapper.generators.optimizer.lr', True, 'expected a number'),
    ],
)
def test_override_of_the_wrong_type_is_named(key, value, expected):
    with pytest.raises(ValueError) as err:
        load_config(H2Z, {key: value})
    message = str(err.value)
    assert f'--cfg-options {key}={value}' in message
    assert expected in message and repr(value) in message


def test_override_types_that_fit_apply_and_a_string_does_not():
    cfg = load_config(
        H2Z,
        {
            'optim_wrapper.generators.optimizer.lr': 1,  # an int is a number
            'train_cfg.max_iters': 10,
            'default_hooks.checkpoint.max_keep_ckpts': None,
            'train_dataloader.dataset.data_root': 'elsewhere',
        },
    )
    assert cfg.optim_wrapper.generators.optimizer.lr == 1
    assert cfg.train_cfg.max_iters == 10
    with pytest.raises(ValueError, match='max_iters=10x: expected an integer'):
        load_config(H2Z, {'train_cfg.max_iters': '10x'})


def test_work_dir_that_is_a_file_or_inside_one_is_refused(tmp_path):
    afile = tmp_path / 'notes.txt'
    afile.write_text('')
    with pytest.raises(NotADirectoryError, match='notes.txt.* is a file, not a'):
        load_config(H2Z, work_dir=str(afile))
    with pytest.raises(NotADirectoryError, match="notes.txt' is a file"):
        load_config(H2Z, work_dir=str(afile / 'run'))
    assert not (tmp_path / 'run').exists()


def test_unwritable_work_dir_is_refused(tmp_path, monkeypatch):
    # Tests run as root, whom permissions do not stop: stand in for a
    # read-only file system, which access() reports even to root.
    parent = str(tmp_path / 'ro')
    real_access = os.access
    monkeypatch.setattr(os, 'access', lambda p, m: p != parent and real_access(p, m))
    (tmp_path / 'ro').mkdir()
    with pytest.raises(PermissionError, match=r"'.*ro/new' cannot be written"):
        load_config(H2Z, work_dir=f'{parent}/new')
    assert load_config(H2Z, work_dir=str(tmp_path / 'ok')).work_dir


def test_config_that_is_not_python_names_file_and_line(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text("model = dict(type='CycleGAN'\n")
    with pytest.raises(ValueError, match=r"'.*bad.py' is not valid Python: .* line 1"):
        load_config(str(bad))


def test_data_root_reaches_every_dataloader(tmp_path):
    cfg = load_config(str(CONFIGS / 'cyclegan_h2z_cpu.py'), data_root=str(tmp_path))
    assert cfg.data_root == str(tmp_path)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.data_root == str(tmp_path), loader
    with pytest.raises(NotADirectoryError, match="--data-root '.*missing'"):
        load_config(
            str(CONFIGS / 'cyclegan_h2z_cpu.py'), data_root=str(tmp_path / 'missing')
        )


def test_enable_compile_sets_the_option_or_refuses_by_name():
    from mmengine.config import Config

    from cyclegan_plugin.apis import enable_compile

    cfg = enable_compile(Config(dict(model=dict(type='CycleGAN'))))
    assert cfg.model.compile_cfg == dict()
    with pytest.raises(
        ValueError, match="--compile: model type 'CUT' has no compile_cfg"
    ):
        enable_compile(Config(dict(model=dict(type='CUT'))))
    with pytest.raises(KeyError, match='--compile needs a model'):
        enable_compile(Config(dict()))
