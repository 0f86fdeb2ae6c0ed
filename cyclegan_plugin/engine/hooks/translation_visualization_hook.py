"""Saves translations of a fixed set of images during training, plus an HTML page."""

from typing import Dict, Literal, Optional, Sequence

import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ...registry import HOOKS
from ...structures import DOMAIN_FIELDS
from ...visualization import HTMLGallery, make_grid

# One grid per source domain, its columns the domain's fields in order.
COLUMN_TITLES = {
    'real_A': 'real A',
    'fake_B': 'G_A(A)',
    'rec_A': 'G_B(G_A(A))',
    'idt_B': 'G_B(A)',
    'real_B': 'real B',
    'fake_A': 'G_B(B)',
    'rec_B': 'G_A(G_B(B))',
    'idt_A': 'G_A(B)',
}


@HOOKS.register_module()
class TranslationVisualizationHook(Hook):
    """Every ``interval`` iterations and at the end, picture the translations.

    The images are taken once, before training, from the validation dataset
    (or the training one) and kept, so snapshots are comparable over time.
    Each snapshot gives one grid per domain, a row per image:
    ``real A | G_A(A) | G_B(G_A(A)) [| G_B(A)]`` and
    ``real B | G_B(B) | G_A(G_B(B)) [| G_A(B)]``, sent to the runner's
    Visualizer as ``<name>_A`` / ``<name>_B`` (local PNGs by default,
    TensorBoard when a ``TensorboardVisBackend`` is configured) and added to
    ``<work_dir>/index.html`` with the training scalars of that iteration.
    Only rank 0 runs the model and writes.

    Args:
        interval (int): Iterations between snapshots. Defaults to 1000.
        num_images (int): Images per domain (spread evenly over the
            dataset). Defaults to 4.
        source (str): 'val' or 'train' dataset, or 'auto': val when the
            runner has a validation loop, else train. Defaults to 'auto'.
        with_identity (bool): Add the identity column when the model
            computes it. Defaults to True.
        html (bool): Maintain ``<work_dir>/index.html``. Defaults to True.
        image_dir (str): Folder of the page's images inside the work dir.
            Defaults to 'vis_images'.
        name (str): Prefix of the Visualizer image names. Defaults to
            'translation'.

    Example:
        >>> custom_hooks = [dict(type='TranslationVisualizationHook', interval=500)]
    """

    priority = 'LOW'

    def __init__(
        self,
        interval: int = 1000,
        num_images: int = 4,
        source: Literal['auto', 'val', 'train'] = 'auto',
        with_identity: bool = True,
        html: bool = True,
        image_dir: str = 'vis_images',
        name: str = 'translation',
    ) -> None:
        if interval < 1 or num_images < 1:
            raise ValueError(
                'interval and num_images must be >= 1, but got '
                f'interval: {interval}, num_images: {num_images}'
            )
        if source not in ('auto', 'val', 'train'):
            raise ValueError(f"source must be 'auto', 'val' or 'train', got {source!r}")
        self.interval = interval
        self.num_images = num_images
        self.source = source
        self.with_identity = with_identity
        self.html = html
        self.image_dir = image_dir
        self.name = name
        self.fixed_batch: Optional[dict] = None
        self.gallery: Optional[HTMLGallery] = None

    def before_train(self, runner) -> None:
        """Take the fixed images and open the HTML page (rank 0)."""
        if not is_main_process():
            return
        self.fixed_batch = pseudo_collate(self._pick_items(runner))
        if self.html:
            self.gallery = HTMLGallery(
                runner.work_dir,
                self.image_dir,
                title=f'{runner.experiment_name}: translations during training',
                description='Each row: real image | translation | cycle '
                'reconstruction | identity mapping (when on). Newest first.',
            )
            # A fresh run starts the page again; a resumed one keeps its past.
            self.gallery.drop_after(runner.iter)

    def _pick_items(self, runner) -> list:
        source = self.source
        if source == 'auto':
            source = 'val' if runner.val_loop is not None else 'train'
        if source == 'val' and runner.val_loop is None:
            raise ValueError(
                "TranslationVisualizationHook: source='val' but the runner has no "
                "validation loop; configure val_dataloader or use source='train'"
            )
        loader = runner.val_dataloader if source == 'val' else runner.train_dataloader
        dataset = loader.dataset
        if len(dataset) == 0:
            raise ValueError(
                f'TranslationVisualizationHook: the {source} dataset is empty'
            )
        count = min(self.num_images, len(dataset))
        # Spread over the dataset: neighbouring files are often near-duplicates.
        indices = torch.linspace(0, len(dataset) - 1, count).round().long().tolist()
        return [dataset[i] for i in indices]

    def after_train_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Optional[dict] = None,
        outputs: Optional[dict] = None,
    ) -> None:
        """Take a snapshot every ``interval`` iterations and at the last one."""
        if self.every_n_train_iters(runner, self.interval) or self.is_last_train_iter(
            runner
        ):
            self.visualize(runner, runner.iter + 1)

    def visualize(self, runner, step: int) -> None:
        """Translate the fixed images with the current model and save grids.

        Args:
            runner (Runner): The runner.
            step (int): Iteration number to record the snapshot under.
        """
        if not is_main_process() or self.fixed_batch is None:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        outputs = self._translate(model)
        grids, captions = {}, {}
        for domain, columns in DOMAIN_FIELDS.items():
            shown = [c for c in columns if c in outputs]
            if not self.with_identity:
                shown = [c for c in shown if not c.startswith('idt_')]
            if columns[0] not in shown:
                continue  # the batch had no image of this domain
            destruct = model.data_preprocessor.destruct
            grids[domain] = make_grid([destruct(outputs[c]).cpu() for c in shown])
            captions[domain] = ' | '.join(COLUMN_TITLES[c] for c in shown)
            runner.visualizer.add_image(
                f'{self.name}_{domain}', grids[domain], step=step
            )
        if self.gallery is not None:
            self.gallery.add(step, grids, captions, self._train_scalars(runner))

    @torch.no_grad()
    def _translate(self, model) -> Dict[str, torch.Tensor]:
        was_training = model.training
        model.eval()
        try:
            data = model.data_preprocessor(self.fixed_batch, False)
            return model(data['inputs'], mode='tensor')
        finally:
            model.train(was_training)

    @staticmethod
    def _train_scalars(runner, skip: Sequence[str] = ('time', 'data_time')) -> dict:
        """Current values of the 'train/' scalars in the message hub."""
        scalars = {}
        for key, history in runner.message_hub.log_scalars.items():
            name = key[len('train/') :]
            if key.startswith('train/') and name not in skip:
                scalars[name] = float(history.current())
        return scalars
