"""Writes the test loop's translations to image files."""

import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from cyclegan_plugin.fileio import write_image_atomic
from cyclegan_plugin.registry import HOOKS
from cyclegan_plugin.structures import source_domain


def _source_key(field: str) -> str:
    # Which input names each output field: A's file for what G_A made from A.
    return f'img_{source_domain(field)}_path'


def _dataset_paths(dataset) -> Dict[str, List[str]]:
    """The image files of a dataset by source key, if it lists them.

    The plugin's file datasets keep their sorted files in ``paths_A`` and
    ``paths_B`` (unpaired) or ``paths`` (aligned, A and B from one file);
    wrappers such as ``RepeatDataset`` keep the wrapped one in ``dataset``.
    Other datasets (e.g. synthetic ones) list nothing.
    """
    for _ in range(4):
        if dataset is None or hasattr(dataset, 'paths_A') or hasattr(dataset, 'paths'):
            break
        dataset = getattr(dataset, 'dataset', None)
    if dataset is None:
        return {}
    if getattr(dataset, '_fully_initialized', True) is False:
        dataset.full_init()  # lazy_init: the first item would do it anyway
    if hasattr(dataset, 'paths_A'):
        return dict(
            img_A_path=list(dataset.paths_A),
            img_B_path=list(getattr(dataset, 'paths_B', [])),
        )
    if hasattr(dataset, 'paths'):
        return dict(img_A_path=list(dataset.paths), img_B_path=list(dataset.paths))
    return {}


@HOOKS.register_module()
class SaveTranslationsHook(Hook):
    """Save ``fake_B`` (and other fields) of every test sample as images.

    Files go to ``out_dir/<field>/<input path>`` with the extension replaced
    by ``ext``, named after the input image (``img_A_path`` for A→B fields,
    ``img_B_path`` for B→A). The input path is taken relative to the folder
    of the dataset's files of that domain, so sub-folders are kept:
    ``testA/sub1/x.jpg`` and ``testA/sub2/x.jpg`` become ``fake_B/sub1/x.png``
    and ``fake_B/sub2/x.png``. Two inputs that would get one name (``x.jpg``
    and ``x.png`` in one folder) are an error naming both, raised before the
    first image is written when the dataset lists its files (the plugin's
    file datasets do), else when the second one comes.

    With ``on_val=True`` the validation loop's translations are written too,
    each validation overwriting the last, so a training run ends with the
    translations of its final model.

    Args:
        out_dir (str, optional): Output folder. Defaults to None:
            ``<work_dir>/translations``.
        fields (Sequence[str]): Output fields to write. Defaults to
            ``('fake_B', 'fake_A')``.
        ext (str): File extension. Defaults to ``'.png'``.
        on_val (bool): Also write during validation. Defaults to False.
    """

    priority = 'LOW'

    def __init__(
        self,
        out_dir: Optional[str] = None,
        fields: Sequence[str] = ('fake_B', 'fake_A'),
        ext: str = '.png',
        on_val: bool = False,
    ) -> None:
        self.out_dir = out_dir
        self.fields = tuple(fields)
        self.ext = ext
        self.on_val = on_val
        self.count = 0
        # Per epoch: the folder names are relative to, and which input
        # claimed each name, by source key.
        self._roots: Dict[str, str] = {}
        self._claimed: Dict[Tuple[str, str], str] = {}

    def _begin(self, loop) -> None:
        """Find the dataset's folders and check every name before writing."""
        self._roots, self._claimed = {}, {}
        dataset = getattr(getattr(loop, 'dataloader', None), 'dataset', None)
        keys = {_source_key(field) for field in self.fields}
        for key, paths in _dataset_paths(dataset).items():
            if key not in keys or not paths:
                continue
            folders = [osp.dirname(osp.abspath(p)) for p in paths]
            self._roots[key] = osp.commonpath(folders)
            for path in paths:
                self._claim(key, path)

    def _claim(self, key: str, src: str) -> str:
        """The file name for input ``src``; raise if another input has it."""
        root = self._roots.get(key)
        rel = osp.relpath(src, root) if root else None
        if rel is None or rel.startswith(osp.pardir + osp.sep) or osp.isabs(rel):
            rel = osp.basename(src)
        name = osp.splitext(rel)[0] + self.ext
        first = self._claimed.setdefault((key, name), src)
        if first != src:
            raise ValueError(
                f'SaveTranslationsHook: {first!r} and {src!r} would both be saved '
                f'as {name!r} (translations are named after their input without '
                'its extension); rename one of them.'
            )
        return name

    def _write(self, runner, outputs: Optional[Sequence]) -> None:
        if not is_main_process():
            return
        out_dir = self.out_dir or osp.join(runner.work_dir, 'translations')
        for sample in outputs or []:
            for field in self.fields:
                if field not in sample:
                    continue
                key = _source_key(field)
                src = str(sample.metainfo.get(key, f'{self.count:06d}'))
                name = self._claim(key, src)
                image = sample.get(field).permute(1, 2, 0).numpy()
                write_image_atomic(osp.join(out_dir, field, name), image)
            self.count += 1

    def _report(self, runner) -> None:
        if is_main_process():
            out_dir = self.out_dir or osp.join(runner.work_dir, 'translations')
            runner.logger.info(
                f'Wrote translations of {self.count} samples to {out_dir}'
            )
        self.count = 0

    def before_test_epoch(self, runner) -> None:
        """Check that no two test inputs get one file name."""
        self._begin(getattr(runner, 'test_loop', None))

    def after_test_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Optional[dict] = None,
        outputs: Optional[Sequence] = None,
    ) -> None:
        """Write the batch's translations."""
        self._write(runner, outputs)

    def after_test_epoch(self, runner, metrics=None) -> None:
        """Log where the images went."""
        self._report(runner)

    def before_val_epoch(self, runner) -> None:
        """Check the validation inputs' file names when ``on_val``."""
        if self.on_val:
            self._begin(getattr(runner, 'val_loop', None))

    def after_val_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Optional[dict] = None,
        outputs: Optional[Sequence] = None,
    ) -> None:
        """Write the batch's translations when ``on_val``."""
        if self.on_val:
            self._write(runner, outputs)

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Log where the images went when ``on_val``."""
        if self.on_val:
            self._report(runner)
