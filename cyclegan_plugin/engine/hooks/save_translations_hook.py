"""Writes the test loop's translations to image files."""

import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from cyclegan_plugin.registry import HOOKS


def write_image_atomic(path: str, rgb: np.ndarray) -> None:
    """Write an RGB uint8 ``(H, W, 3)`` image via a temp file and rename.

    Raises:
        OSError: If OpenCV cannot encode the image for ``path``'s extension.
    """
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    ext = osp.splitext(path)[1] or '.png'
    ok, buf = cv2.imencode(ext, np.ascontiguousarray(rgb[..., ::-1]))
    if not ok:
        raise OSError(f'Cannot encode an image as {ext!r} for {path!r}')
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'wb') as f:
        f.write(buf.tobytes())
    os.replace(tmp, path)


@HOOKS.register_module()
class SaveTranslationsHook(Hook):
    """Save ``fake_B`` (and other fields) of every test sample as images.

    Files go to ``out_dir/<field>/<input file stem>.png``, named after the
    input image (``img_A_path`` for A→B fields, ``img_B_path`` for B→A).
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

    def _write(self, runner, outputs: Optional[Sequence]) -> None:
        if not is_main_process():
            return
        out_dir = self.out_dir or osp.join(runner.work_dir, 'translations')
        for sample in outputs or []:
            for field in self.fields:
                if field not in sample:
                    continue
                src_key = (
                    'img_A_path'
                    if field in ('fake_B', 'rec_A', 'idt_B')
                    else 'img_B_path'
                )
                src = sample.metainfo.get(src_key, f'{self.count:06d}')
                name = osp.splitext(osp.basename(str(src)))[0] + self.ext
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
