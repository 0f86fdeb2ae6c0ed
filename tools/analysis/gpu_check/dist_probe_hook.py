"""A hook that records what each DDP rank of the GPU check ran with."""

import hashlib
import json
import os.path as osp

import torch
from mmengine.dist import get_backend, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


# MMEngine's root registry, which the plugin's scope falls back to: this hook
# belongs to the GPU check (tools/), not to the plugin.
@HOOKS.register_module()
class DistProbeHook(Hook):
    """Write ``<work_dir>/dist_rank<r>.json`` for every rank of a DDP run.

    Before training: the rank, world size, process-group backend, the
    model's device and wrapper. After training: a SHA-256 digest of the
    model's tensors, equal on all ranks when DDP kept them in sync.
    """

    def before_train(self, runner) -> None:
        """Record the rank's setting."""
        model = runner.model
        self.info = dict(
            rank=get_rank(),
            world_size=get_world_size(),
            backend=get_backend(),
            device=str(next(model.parameters()).device),
            model_wrapper=type(model).__name__,
        )

    def after_train(self, runner) -> None:
        """Add the digest of the rank's weights and write the file."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        digest = hashlib.sha256()
        for key, value in sorted(model.state_dict().items()):
            if isinstance(value, torch.Tensor):
                digest.update(key.encode())
                flat = value.detach().cpu().contiguous().reshape(-1)
                digest.update(flat.view(torch.uint8).numpy().tobytes())
        self.info['weights_sha256'] = digest.hexdigest()
        path = osp.join(runner.work_dir, f'dist_rank{self.info["rank"]}.json')
        with open(path, 'w') as f:
            json.dump(self.info, f)
