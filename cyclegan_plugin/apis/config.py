"""Loading and adjusting configs the way ``tools/*.py`` need it."""

import ast
import difflib
import os
import os.path as osp
from typing import Any, Dict, Optional

from mmengine.config import Config

from .component_args import accepts_arg, arg_default


def _check_override(cfg: Config, key: str) -> Any:
    """Refuse an override whose path does not exist in the config.

    A leaf key may be new only inside a component config (a dict with a
    ``type``), where the component's constructor validates it.

    Returns:
        Any: The value the override replaces: the config's, or for a new
        component argument its constructor default (None if it has none).
    """
    node: Any = cfg._cfg_dict  # a ConfigDict (a dict)
    parts = key.split('.')
    for depth, part in enumerate(parts):
        is_leaf = depth == len(parts) - 1
        if isinstance(node, (list, tuple)) and part.isdigit():
            if int(part) >= len(node):
                raise KeyError(
                    f'--cfg-options {key}: index {part} is out of '
                    f'range ({len(node)} items).'
                )
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            raise KeyError(
                f'--cfg-options {key}: {".".join(parts[:depth])!r} '
                f'is a {type(node).__name__}, not a dict.'
            )
        if part in node:
            node = node[part]
            continue
        if is_leaf and 'type' in node and accepts_arg(node['type'], part):
            return arg_default(node['type'], part)
        where = '.'.join(parts[:depth]) or 'the config'
        close = difflib.get_close_matches(part, [str(k) for k in node], n=3)
        hint = f' Did you mean {", ".join(close)}?' if close else ''
        raise KeyError(
            f'--cfg-options {key}: {where} has no key {part!r}.{hint} '
            f'Check the spelling, or print the config with '
            f'`python -c "from mmengine import Config; '
            f"print(Config.fromfile('{cfg.filename}').pretty_text)\"`."
        )
    return node


def _check_override_type(key: str, old: Any, new: Any) -> None:
    """Refuse a value whose type cannot stand in for the config's number or bool.

    ``--cfg-options`` parses ``3`` as an int, ``2e-4`` as a float and
    ``true`` as a bool; anything else stays a string, which a numeric option
    would only reject deep inside training. ``None`` is always accepted.
    """
    if new is None:
        return
    if isinstance(old, bool):
        ok, expected = isinstance(new, bool), 'true or false'
    elif isinstance(old, int):
        ok = isinstance(new, int) and not isinstance(new, bool)
        expected = 'an integer'
    elif isinstance(old, float):
        ok = isinstance(new, (int, float)) and not isinstance(new, bool)
        expected = 'a number'
    else:
        return
    if not ok:
        raise ValueError(
            f'--cfg-options {key}={new}: expected {expected} (the config has '
            f'{old!r}), not the {type(new).__name__} {new!r}.'
        )


def check_work_dir(work_dir: str) -> None:
    """Refuse a work dir that is a file or cannot be created or written.

    Nothing is created: the runner makes the folder.

    Args:
        work_dir (str): The folder for logs and checkpoints.

    Raises:
        NotADirectoryError: If ``work_dir`` is a file or lies inside one.
        PermissionError: If its nearest existing folder is not writable
            (no permission, or a read-only file system).
    """
    if osp.exists(work_dir) and not osp.isdir(work_dir):
        raise NotADirectoryError(
            f'--work-dir {work_dir!r} is a file, not a folder; choose another '
            '--work-dir.'
        )
    existing = osp.abspath(work_dir)
    while not osp.exists(existing):
        existing = osp.dirname(existing)
    if not osp.isdir(existing):
        raise NotADirectoryError(
            f'--work-dir {work_dir!r} cannot be created: {existing!r} is a file; '
            'choose another --work-dir.'
        )
    # access() also reports a read-only file system, even to root.
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(
            f'--work-dir {work_dir!r} cannot be written: {existing!r} is '
            'read-only or not yours; choose another --work-dir.'
        )


def load_config(
    path: str,
    cfg_options: Optional[Dict[str, Any]] = None,
    work_dir: Optional[str] = None,
    data_root: Optional[str] = None,
) -> Config:
    """Read a config, apply validated overrides and pick a work dir.

    Args:
        path (str): Config file.
        cfg_options (dict, optional): ``{'a.b.c': value}`` overrides.
        work_dir (str, optional): Overrides ``cfg.work_dir`` (checked with
            :func:`check_work_dir`); if neither is set,
            ``./work_dirs/<config name>``.
        data_root (str, optional): The data set's folder for every dataloader
            (``cfg.data_root`` is read when the file is parsed, so a
            ``--cfg-options data_root=...`` would not reach the loaders).

    Returns:
        Config: The config.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        KeyError: If an override names a key the config does not have.
        ValueError: If the file is not valid Python, or an override gives
            a string (or a float) for a numeric option (or an integer one),
            or a non-bool for a bool.
        NotADirectoryError: If ``work_dir`` is, or lies inside, a file, or
            ``data_root`` is not a folder.
        PermissionError: If ``work_dir`` cannot be created or written.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Config file {path!r} does not exist; see configs/ for the shipped ones.'
        )
    with open(path, encoding='utf-8') as f:
        source = f.read()
    try:
        # MMEngine parses the file from a string: its error names no file.
        ast.parse(source, filename=path)
    except SyntaxError as err:
        raise ValueError(
            f'Config file {path!r} is not valid Python: {err.msg} at line '
            f'{err.lineno}; fix it there.'
        ) from err
    cfg = Config.fromfile(path)
    if cfg_options:
        for key, value in cfg_options.items():
            _check_override_type(key, _check_override(cfg, key), value)
        cfg.merge_from_dict(cfg_options)
    if data_root is not None:
        set_data_root(cfg, data_root)
    if work_dir is not None:
        check_work_dir(work_dir)
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    return cfg


def set_data_root(cfg: Config, data_root: str) -> Config:
    """Point ``cfg.data_root`` and every dataloader's dataset at ``data_root``.

    Args:
        cfg (Config): The config, changed in place.
        data_root (str): The data set's folder.

    Returns:
        Config: ``cfg``.

    Raises:
        NotADirectoryError: If ``data_root`` is not a folder.
    """
    if not osp.isdir(data_root):
        raise NotADirectoryError(
            f'--data-root {data_root!r} is not a folder; give the data set folder '
            '(e.g. data/horse2zebra with trainA, trainB, testA, testB)'
        )
    cfg.data_root = data_root
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset')
        if dataset is not None:
            dataset.data_root = data_root
    return cfg
