"""A RobustRunner on tiny networks and generated images, built in-process."""

import sys
import uuid
from pathlib import Path

from mmengine.config import Config

from cyclegan_plugin.registry import RUNNERS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'test_tools'))
from tool_helpers import write_tiny_config  # noqa: E402


def build_runner(work_dir: Path, max_iters=2, interval=1, keep=1, **options):
    """The shipped recipe at 32 px with checkpoints every ``interval`` iterations.

    ``options`` are ``--cfg-options`` style overrides, e.g. ``resume=True``.
    """
    cfg = Config.fromfile(
        write_tiny_config(
            work_dir.parent / f'{work_dir.name}.py',
            max_iters=max_iters,
            ckpt_interval=interval,
        )
    )
    cfg.train_dataloader.dataset = dict(
        type='SyntheticStripesDataset',
        num_samples=4,
        img_size=32,
        seed=0,
        pipeline=[dict(type='PackTranslationInputs', keys=['img_A', 'img_B'])],
    )
    cfg.default_hooks.checkpoint.max_keep_ckpts = keep
    cfg.work_dir = str(work_dir)
    # Runners of one name share their message hub and logger.
    cfg.experiment_name = f'{work_dir.name}-{uuid.uuid4().hex[:8]}'
    cfg.merge_from_dict(options)
    return RUNNERS.build(cfg)
