"""MMEngine's CheckpointHook, deleting old checkpoints only after a save."""

from collections import deque
from typing import List

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from cyclegan_plugin.models.editors.nonfinite_guard import LAST_GOOD_CHECKPOINT
from cyclegan_plugin.registry import HOOKS

from ..runner.checkpoint_files import write_last_checkpoint


@HOOKS.register_module()
class RobustCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose rotation never leaves no good checkpoint.

    MMEngine's hook deletes the oldest of ``max_keep_ckpts`` checkpoints
    before it writes the new one: a kill in between, or a refused save (see
    ``RobustRunner.save_checkpoint``), leaves one checkpoint fewer, with
    ``max_keep_ckpts=1`` none. Here the new checkpoint is written first, then
    ``last_checkpoint`` names it, and only then are the expired ones
    deleted. ``last_checkpoint`` holds a checkpoint of the work dir by name,
    so a copied work dir resumes from its own files.

    The newest complete checkpoint is also published in the message hub's
    runtime info (``'last_good_checkpoint'``), for the messages that tell
    where to resume from.

    Takes the same arguments as :class:`mmengine.hooks.CheckpointHook`.
    """

    def _save_checkpoint_with_step(self, runner, step: int, meta: dict) -> None:
        filename = self.filename_tmpl.format(step)
        path = self.file_backend.join_path(self.out_dir, filename)
        hub = runner.message_hub
        rotate = self.max_keep_ckpts > 0 and not (
            self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step
        )
        before = {k: hub.runtime_info.get(k) for k in ('keep_ckpt_ids', 'last_ckpt')}
        ids: List[int] = list(getattr(self, 'keep_ckpt_ids', ())) + [step]
        if rotate:
            # The checkpoint lists the expired ids too: resuming after a kill
            # that came before their deletion deletes them then
            # (CheckpointHook.before_train trims the list to max_keep_ckpts).
            hub.update_info('keep_ckpt_ids', ids)
        hub.update_info('last_ckpt', path)
        try:
            runner.save_checkpoint(
                self.out_dir,
                filename,
                self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta,
                by_epoch=self.by_epoch,
                backend_args=self.backend_args,
                **self.args,
            )
        except BaseException:
            for key, value in before.items():
                if value is None:
                    hub.pop_info(key)
                else:
                    hub.update_info(key, value)
            raise
        self.last_ckpt = path
        hub.update_info(LAST_GOOD_CHECKPOINT, path)
        expired: List[int] = []
        if rotate:
            expired = ids[: -self.max_keep_ckpts]
            self.keep_ckpt_ids = deque(ids[-self.max_keep_ckpts :], self.max_keep_ckpts)
            hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        if not is_main_process():
            return
        write_last_checkpoint(runner.work_dir, path)
        for old_step in expired:
            old = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(old_step)
            )
            if self.file_backend.isfile(old):
                self.file_backend.remove(old)
            elif self.file_backend.isdir(old):
                # DeepSpeed saves a checkpoint as a folder.
                self.file_backend.rmtree(old)
