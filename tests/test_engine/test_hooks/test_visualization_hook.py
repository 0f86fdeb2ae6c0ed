import re
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.model import BaseDataPreprocessor, BaseModel
from mmengine.runner import Runner
from mmengine.structures import BaseDataElement
from torch.utils.data import Dataset

from cyclegan_plugin.engine.hooks import TranslationVisualizationHook
from cyclegan_plugin.engine.hooks import translation_visualization_hook as hook_module

SIZE = 16


class ToyPreprocessor(BaseDataPreprocessor):
    """The documented preprocessor API: stack to [-1, 1]; destruct back."""

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = {
            k: torch.stack(v).float() / 127.5 - 1 for k, v in data['inputs'].items()
        }
        return dict(inputs=inputs, data_samples=data.get('data_samples'))

    @staticmethod
    def destruct(images: torch.Tensor) -> torch.Tensor:
        return ((images + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)


class ToyCycleModel(BaseModel):
    """Stands in for CycleGAN: 1x1-conv generators, forward(mode='tensor') API."""

    def __init__(self, identity: bool = True) -> None:
        super().__init__(data_preprocessor=ToyPreprocessor())
        self.g_a, self.g_b = torch.nn.Conv2d(3, 3, 1), torch.nn.Conv2d(3, 3, 1)
        self.identity = identity
        self.modes = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        self.modes.append((mode, self.training))
        out = {}
        if 'img_A' in inputs:
            a = inputs['img_A']
            out.update(real_A=a, fake_B=torch.tanh(self.g_a(a)))
            out['rec_A'] = torch.tanh(self.g_b(out['fake_B']))
            if self.identity:
                out['idt_B'] = torch.tanh(self.g_b(a))
        if 'img_B' in inputs:
            b = inputs['img_B']
            out.update(real_B=b, fake_A=torch.tanh(self.g_b(b)))
            out['rec_B'] = torch.tanh(self.g_a(out['fake_A']))
            if self.identity:
                out['idt_A'] = torch.tanh(self.g_a(b))
        if mode == 'loss':
            return dict(
                loss_cycle=F.l1_loss(out['rec_A'], inputs['img_A'])
                + F.l1_loss(out['rec_B'], inputs['img_B'])
            )
        return out


class ToyDataset(Dataset):
    """Items as PackTranslationInputs makes them; a fixed image per index."""

    def __init__(self, length: int = 8) -> None:
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> dict:
        generator = torch.Generator().manual_seed(i)
        images = torch.randint(
            0, 256, (2, 3, SIZE, SIZE), dtype=torch.uint8, generator=generator
        )
        sample = BaseDataElement(
            metainfo=dict(
                img_A_path=f'A/{i}.png', img_B_path=f'B/{i}.png', aligned=False
            )
        )
        return dict(inputs=dict(img_A=images[0], img_B=images[1]), data_samples=sample)


def build_runner(tmp_path, model, hook_cfg, max_iters=5) -> Runner:
    return Runner(
        model=model,
        work_dir=str(tmp_path),
        # Unique: MMEngine shares one Visualizer per experiment name.
        experiment_name=tmp_path.name,
        train_dataloader=dict(
            dataset=ToyDataset(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=2,
            collate_fn=dict(type='pseudo_collate'),
        ),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        custom_hooks=[dict(type='TranslationVisualizationHook', **hook_cfg)],
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1), checkpoint=None),
        default_scope='cyclegan_plugin',
    )


def read_rgb(path) -> np.ndarray:
    return cv2.imread(str(path))[..., ::-1]


def test_snapshots_every_interval_and_at_the_end(tmp_path):
    model = ToyCycleModel()
    runner = build_runner(tmp_path, model, dict(interval=2, num_images=3))
    runner.train()
    vis_dir = tmp_path / runner.timestamp / 'vis_data' / 'vis_image'
    assert sorted(p.name for p in vis_dir.iterdir()) == sorted(
        f'translation_{d}_{step}.png' for d in 'AB' for step in (2, 4, 5)
    )
    # 3 rows of 16 px and 4 columns (real | fake | rec | idt), 2 px gaps.
    first = read_rgb(vis_dir / 'translation_A_2.png')
    assert first.shape == (3 * SIZE + 4, 4 * SIZE + 6, 3)
    # The fixed images: dataset items 0, 4 and 7 (spread), the same every time.
    dataset = ToyDataset()
    for row, index in enumerate((0, 4, 7)):
        top = row * (SIZE + 2)
        expected = dataset[index]['inputs']['img_A'].permute(1, 2, 0).numpy()
        np.testing.assert_array_equal(first[top : top + SIZE, :SIZE], expected)
    last = read_rgb(vis_dir / 'translation_A_5.png')
    np.testing.assert_array_equal(last[:, :SIZE], first[:, :SIZE])
    assert not np.array_equal(last[:, SIZE + 2 :], first[:, SIZE + 2 :])  # trained
    # Translations are made in eval mode, and training mode is restored after.
    assert model.modes[:3] == [('loss', True), ('loss', True), ('tensor', False)]
    assert model.training

    page = (tmp_path / 'index.html').read_text()
    steps = [int(s) for s in re.findall(r'iteration (\d+)</h2>', page)]
    assert steps == [5, 4, 2]
    assert '<th>loss_cycle</th>' in page and '<th>lr</th>' in page
    assert 'real A | G_A(A) | G_B(G_A(A)) | G_B(A)' in page
    for src in re.findall(r'<img src="([^"]+)"', page):
        assert (tmp_path / src).is_file()


def test_without_identity_three_columns_and_no_html(tmp_path):
    runner = build_runner(
        tmp_path,
        ToyCycleModel(identity=False),
        dict(interval=10, num_images=2, html=False),
        max_iters=2,
    )
    runner.train()
    (grid_path,) = (tmp_path / runner.timestamp / 'vis_data' / 'vis_image').glob(
        'translation_B_*.png'
    )
    assert grid_path.name == 'translation_B_2.png'  # only the last iteration
    assert read_rgb(grid_path).shape == (2 * SIZE + 2, 3 * SIZE + 4, 3)
    assert not (tmp_path / 'index.html').exists()


def test_with_identity_false_hides_identity_column(tmp_path):
    runner = build_runner(
        tmp_path,
        ToyCycleModel(),
        dict(interval=1, num_images=1, with_identity=False),
        max_iters=1,
    )
    runner.train()
    grid = read_rgb(
        tmp_path / runner.timestamp / 'vis_data' / 'vis_image' / 'translation_A_1.png'
    )
    assert grid.shape == (SIZE, 3 * SIZE + 4, 3)


def test_other_ranks_do_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(hook_module, 'is_main_process', lambda: False)
    runner = build_runner(tmp_path, ToyCycleModel(), dict(interval=1), max_iters=2)
    runner.train()
    assert not (tmp_path / runner.timestamp / 'vis_data' / 'vis_image').exists()
    assert not (tmp_path / 'index.html').exists()


def test_picks_val_dataset_when_there_is_a_val_loop():
    hook = TranslationVisualizationHook(num_images=10)
    val = SimpleNamespace(dataset=ToyDataset(3))
    runner = SimpleNamespace(
        val_loop=object(), val_dataloader=val, train_dataloader=None
    )
    items = hook._pick_items(runner)
    assert [s['data_samples'].img_A_path for s in items] == [
        'A/0.png',
        'A/1.png',
        'A/2.png',
    ]
    runner = SimpleNamespace(val_loop=None, train_dataloader=val)
    with pytest.raises(ValueError, match="source='val'.*no validation loop"):
        TranslationVisualizationHook(source='val')._pick_items(runner)


@pytest.mark.parametrize(
    'kwargs, message',
    [
        (dict(interval=0), 'interval'),
        (dict(num_images=0), 'num_images'),
        (dict(source='test'), 'source'),
    ],
)
def test_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TranslationVisualizationHook(**kwargs)
