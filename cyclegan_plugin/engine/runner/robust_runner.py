"""MMEngine's Runner with crash-safe checkpoints and exact, safe resume."""

import os.path as osp
import re
import warnings
from contextlib import contextmanager
from datetime import timedelta
from typing import Callable, Iterator, Optional, Union

import torch
import torch.distributed as torch_dist
import torch.nn as nn
from mmengine.dist import (
    all_reduce,
    broadcast,
    is_distributed,
    is_main_process,
    master_only,
)
from mmengine.hooks import CheckpointHook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop, Runner
from mmengine.runner.checkpoint import _load_checkpoint_to_model

from cyclegan_plugin.fileio import atomic_path
from cyclegan_plugin.models.editors.nonfinite_guard import (
    LAST_GOOD_CHECKPOINT,
    resume_advice,
)
from cyclegan_plugin.models.weights import CheckpointError, load_weights_file
from cyclegan_plugin.registry import RUNNERS

from ..hooks.resume_state_hook import ResumeStateHook  # noqa: F401 (registers it)
from .checkpoint_files import read_last_checkpoint, remove_stale_temp_files
from .dist_timeout import (
    dist_timeout,
    explain_collective_timeout,
    warn_if_nccl_timeouts_ignored,
)
from .state_dict_check import check_model_state_dict
from .train_length import check_resumed_progress, check_train_length


@RUNNERS.register_module()
class RobustRunner(Runner):
    """``mmengine.runner.Runner`` that a crash or a bad file cannot corrupt.

    * Checkpoints are written to a temporary file in the same folder, fsynced
      and renamed, so a kill during a save leaves the previous checkpoint (and
      ``last_checkpoint``, written by ``RobustCheckpointHook`` after the save)
      valid. Temporary files a killed run left are deleted at the next start.
    * A checkpoint whose weights are not all finite is never written: the
      save raises and training stops, naming the checkpoint to resume from.
    * ``resume=True`` (``--resume``) without a path resumes from the work
      dir's ``last_checkpoint`` (a name there is read relative to the work
      dir, so a copied work dir resumes from its own files) and is an error
      when there is none; so is a ``train_cfg.max_iters`` (``max_epochs``)
      that leaves nothing to train.
    * Checkpoints hold only tensors and plain types (see
      :class:`ResumeStateHook`) and are read with ``weights_only=True`` on
      every torch version (``--resume``, ``load_from``, ``tools/test.py``),
      so no code stored in a file runs unless ``--trust-checkpoint`` says so.
      An empty, truncated or corrupt file, or one that is no checkpoint, gets
      an error naming it.
    * ``load_from`` of a checkpoint made for another architecture fails
      with the missing/unexpected keys and shapes instead of a partial load.
    * :class:`ResumeStateHook` is always registered: resumed runs continue
      the same random streams.
    * ``launcher='pytorch'`` without CUDA initialises a gloo process group
      (MMEngine's own initialisation requires a GPU), so DDP runs on CPUs.
      There ``sync_bn`` is not applied (``SyncBatchNorm`` needs a GPU): each
      process keeps its own batch-norm statistics, with a warning.
    * Collectives (gloo or NCCL) wait at most ``env_cfg.dist_cfg.timeout``
      seconds for the other processes; a run that ends that way logs which
      collective waited and how to raise the limit.
    * After weight initialisation rank 0's tensors are broadcast; non-tensor
      state (the image buffers' history) stays per process.
    """

    def setup_env(self, env_cfg: dict) -> None:
        """Initialise distributed CPU training with gloo, then as MMEngine.

        Both gloo and NCCL collectives wait at most
        ``env_cfg.dist_cfg.timeout`` seconds for the other processes.
        """
        # Checked even when not distributed: a bad value fails on one machine
        # instead of at the first multi-process launch.
        self._dist_timeout = dist_timeout(env_cfg)
        if self.distributed and not is_distributed():
            if torch.cuda.is_available():
                warn_if_nccl_timeouts_ignored()
                # MMEngine's init_dist turns the seconds into a timedelta.
                dist_cfg = dict(env_cfg.get('dist_cfg') or {})
                dist_cfg['timeout'] = self._dist_timeout
                env_cfg = {**env_cfg, 'dist_cfg': dist_cfg}
            else:
                torch_dist.init_process_group(
                    backend='gloo', timeout=timedelta(seconds=self._dist_timeout)
                )
        if 'keep_freed_cpu_memory' in env_cfg:
            # The logger does not exist yet at this point of Runner.__init__.
            warnings.warn(
                'env_cfg.keep_freed_cpu_memory is ignored: model.cpu_kernels=True '
                '(tools/train.py --winograd) keeps freed CPU memory with the CPU '
                'kernels that need it.',
                stacklevel=2,
            )
        super().setup_env(env_cfg)

    @contextmanager
    def _explaining_collective_timeouts(self) -> Iterator[None]:
        # The backend's message says only that a receive timed out.
        try:
            yield
        except RuntimeError as error:
            if self.distributed:
                line = explain_collective_timeout(error, self._dist_timeout, self.rank)
                if line:
                    self.logger.error(line)
            raise

    def train(self) -> nn.Module:
        """Train as MMEngine does; a collective's timeout is explained.

        Raises:
            ValueError: If ``train_cfg`` leaves nothing to train, from the
                start or from the resumed checkpoint on.
            FileNotFoundError: If ``resume=True`` finds no checkpoint.
        """
        check_train_length(self._train_loop)
        if self._resume and self._load_from is None:
            # Before building anything: a wrong --resume fails at once.
            self._load_from = read_last_checkpoint(self.work_dir, self.logger)
        self._remove_stale_temp_files()
        with self._explaining_collective_timeouts():
            return super().train()

    def load_or_resume(self) -> None:
        """Load or resume as MMEngine does; see :meth:`train` for resume.

        Raises:
            FileNotFoundError: If ``resume=True`` finds no checkpoint.
            ValueError: If the resumed checkpoint is at or past the end of
                training.
        """
        if self._has_loaded or not self._resume:
            return super().load_or_resume()
        path = self._load_from or read_last_checkpoint(self.work_dir, self.logger)
        self.resume(path)
        self._has_loaded = True
        # Overrides the value restored with the message hub: this file exists.
        self.message_hub.update_info(LAST_GOOD_CHECKPOINT, path)
        if isinstance(self._train_loop, BaseLoop):  # built: training
            check_resumed_progress(self._train_loop, path)

    def _remove_stale_temp_files(self) -> None:
        if not is_main_process():
            return
        folders = {self.work_dir}
        for hook in self.hooks:
            out_dir = hook.out_dir if isinstance(hook, CheckpointHook) else None
            if out_dir is not None and str(out_dir) != self.work_dir:
                # Where CheckpointHook.before_train will put its files.
                basename = osp.basename(self.work_dir.rstrip(osp.sep))
                folders.add(osp.join(str(out_dir), basename))
        for folder in sorted(folders):
            remove_stale_temp_files(folder, self.logger)

    def val(self) -> dict:
        """Validate as MMEngine does; a collective's timeout is explained."""
        with self._explaining_collective_timeouts():
            return super().val()

    def test(self) -> dict:
        """Test as MMEngine does; a collective's timeout is explained."""
        with self._explaining_collective_timeouts():
            return super().test()

    def wrap_model(self, model_wrapper_cfg: Optional[dict], model: nn.Module):
        """Wrap as MMEngine does; on CPUs without ``sync_bn``."""
        if self.distributed and not torch.cuda.is_available():
            if self.cfg.get('sync_bn') is not None:
                self.logger.warning(
                    f'sync_bn={self.cfg.sync_bn!r} is ignored: SyncBatchNorm '
                    'needs GPUs, so each CPU process normalises with its own '
                    'batch statistics.'
                )
                self.cfg.sync_bn = None
        return super().wrap_model(model_wrapper_cfg, model)

    def _init_model_weights(self) -> None:
        """Initialise weights, then broadcast rank 0's tensors.

        MMEngine broadcasts every ``state_dict`` value, which fails on
        non-tensor extra state such as the image buffers' history.
        """
        model = self.model.module if is_model_wrapper(self.model) else self.model
        if not hasattr(model, 'init_weights'):
            return
        model.init_weights()
        for value in model.state_dict().values():
            if isinstance(value, torch.Tensor):
                broadcast(value)

    def register_hooks(self, default_hooks=None, custom_hooks=None) -> None:
        """Register hooks as MMEngine does, plus :class:`ResumeStateHook`."""
        custom_hooks = list(custom_hooks or [])
        if not any(
            (h.get('type') if isinstance(h, dict) else type(h).__name__)
            in ('ResumeStateHook', 'cyclegan_plugin.ResumeStateHook')
            for h in custom_hooks
        ):
            custom_hooks.append(dict(type='cyclegan_plugin.ResumeStateHook'))
        super().register_hooks(default_hooks, custom_hooks)

    def save_checkpoint(self, out_dir: str, filename: str, *args, **kwargs) -> None:
        """Save as MMEngine does, atomically (temp file, fsync, rename).

        Every rank checks that the weights are finite, so that all stop
        together; only rank 0 writes (MMEngine's method is rank-0 only too).

        Raises:
            RuntimeError: If a weight is NaN or infinite. Nothing is written;
                the message names the checkpoint to resume from.
        """
        bad = self._nonfinite_weights()
        if bad:
            message = (
                f'Refused to write checkpoint {osp.join(out_dir, filename)}: '
                f'{len(bad)} weight tensors are not finite ({", ".join(bad[:3])}'
                f'{", ..." if len(bad) > 3 else ""}); training stopped. '
                f'{resume_advice()}'
            )
            self.logger.error(message)
            raise RuntimeError(message)
        self._save_atomically(out_dir, filename, *args, **kwargs)

    def _nonfinite_weights(self) -> list:
        model = self.model.module if is_model_wrapper(self.model) else self.model
        bad = [
            name
            for name, value in model.state_dict().items()
            if isinstance(value, torch.Tensor)
            and value.is_floating_point()
            and not bool(torch.isfinite(value).all())
        ]
        if is_distributed():
            count = torch.tensor(float(len(bad)))
            all_reduce(count, op='max')
            if count.item() and not bad:
                bad = ['on another rank']
        return bad

    @master_only
    def _save_atomically(self, out_dir: str, filename: str, *args, **kwargs) -> None:
        with atomic_path(osp.join(out_dir, filename), fsync=True) as tmp:
            super().save_checkpoint(out_dir, osp.basename(tmp), *args, **kwargs)

    def load_checkpoint(
        self,
        filename: str,
        map_location: Union[str, Callable] = 'cpu',
        strict: bool = False,
        revise_keys: Optional[list] = None,
    ) -> dict:
        """Load a checkpoint weights-only; refuse one made for another model.

        Serves ``load_from``, ``--resume`` (MMEngine's ``resume`` reads
        through this method) and ``tools/test.py``. The file is read by
        :func:`~cyclegan_plugin.models.weights.load_weights_file`, which
        passes ``weights_only=True`` to torch on every version (unless
        trusted with ``--trust-checkpoint``), rather than by MMEngine's
        loader, whose ``torch.load`` unpickles everything on torch < 2.6.

        Raises:
            FileNotFoundError: If the file does not exist.
            CheckpointError: (a ``ValueError`` and a ``RuntimeError``) If the
                file is a URL, empty, not a torch file, truncated/corrupt, or
                needs unpickling code outside torch's allow-list.
            RuntimeError: If it does not fit the model.
        """
        revise_keys = revise_keys or [(r'^module.', '')]
        if re.match(r'[A-Za-z][A-Za-z0-9+.-]*://', str(filename)):
            # MMEngine fetches these and unpickles them in full.
            raise CheckpointError(
                f'checkpoint {filename!r}: only local files are read (weights '
                'only); download it and pass its path.'
            )
        checkpoint = load_weights_file(filename, map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else self.model
        state_dict = checkpoint.get('state_dict', checkpoint)
        check_model_state_dict(model, state_dict, source=filename)
        checkpoint = _load_checkpoint_to_model(
            model, checkpoint, strict, revise_keys=revise_keys
        )
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint
