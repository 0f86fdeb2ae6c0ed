import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.model import BaseModule
from mmengine.registry import DefaultScope
from mmengine.structures import BaseDataElement

from cyclegan_plugin.evaluation import FCNScore, LabelScore
from cyclegan_plugin.evaluation.metrics import fcn_score as fcn_module
from cyclegan_plugin.registry import MODELS

PALETTE = [[0, 0, 200], [250, 80, 0], [190, 255, 60]]
# How each class looks in a "photo": what the tiny segmenter learns to read.
PHOTO_COLOURS = torch.tensor([[40, 40, 40], [220, 220, 220], [30, 200, 30]])
SIZE = 8


def class_map(swap_top_half: bool = False) -> torch.Tensor:
    """Left half class 0, right half class 1; optionally swapped on the top half."""
    classes = torch.zeros(SIZE, SIZE, dtype=torch.long)
    classes[:, SIZE // 2 :] = 1
    if swap_top_half:
        classes[: SIZE // 2] = 1 - classes[: SIZE // 2]
    return classes


def paint(
    classes: torch.Tensor, colours, noise: int = 6, seed: int = 0
) -> torch.Tensor:
    """uint8 (3, H, W) image of a class map, with JPEG-like noise."""
    image = torch.as_tensor(colours)[classes].permute(2, 0, 1).int()
    jitter = torch.randint(
        -noise, noise + 1, image.shape, generator=torch.Generator().manual_seed(seed)
    )
    return (image + jitter).clamp(0, 255).to(torch.uint8)


def sample(fake_classes: torch.Tensor, aligned: bool = True) -> BaseDataElement:
    """A facades-like sample: A photo, B labels; a CycleGAN's outputs both ways."""
    truth = class_map()
    element = BaseDataElement(
        metainfo=dict(img_A_path='1.jpg', img_B_path='1.jpg', aligned=aligned)
    )
    element.real_B = paint(truth, PALETTE)
    element.fake_B = paint(fake_classes, PALETTE, seed=1)  # photo -> labels
    element.real_A = paint(truth, PHOTO_COLOURS.tolist())
    element.fake_A = paint(
        fake_classes, PHOTO_COLOURS.tolist(), seed=2
    )  # labels -> photo
    return element


def test_label_score_swap_on_half_the_pixels_through_evaluator():
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        evaluator = Evaluator(
            dict(type='LabelScore', palette=PALETTE, class_names=['a', 'b', 'c'])
        )
    evaluator.process([sample(class_map(swap_top_half=True)), sample(class_map())], {})
    scores = evaluator.evaluate(2)
    # Image 1: half of each class right (16 of 32); image 2 all right. Class 'c'
    # is absent from both maps everywhere, so it does not count.
    assert scores == {
        'PixelAcc-AtoB': pytest.approx(48 / 64),
        'ClassAcc-AtoB': pytest.approx(0.75),
        'mIoU-AtoB': pytest.approx(24 / (32 + 32 - 24)),
    }


def test_label_score_bootstrap_spread_resamples_the_images():
    metric = LabelScore(palette=PALETTE, bootstrap=2000)
    metric.process({}, [sample(class_map(swap_top_half=True)), sample(class_map())])
    scores = metric.evaluate(2)
    assert scores['PixelAcc-AtoB'] == pytest.approx(48 / 64)  # as without it
    # Two images of per-pixel accuracy 1/2 and 1: a draw of two scores 1/2,
    # 3/4 or 1 with probabilities 1/4, 1/2, 1/4, a spread of sqrt(1/32).
    assert scores['PixelAcc-AtoB-bootstrap-std'] == pytest.approx(
        (1 / 32) ** 0.5, rel=0.05
    )
    assert set(scores) == {
        f'{name}-AtoB{spread}'
        for name in ('PixelAcc', 'ClassAcc', 'mIoU')
        for spread in ('', '-bootstrap-std')
    }
    same = LabelScore(palette=PALETTE, bootstrap=10)
    same.process({}, [sample(class_map()), sample(class_map())])
    assert same.evaluate(2)['ClassAcc-AtoB-bootstrap-std'] == 0.0
    with pytest.raises(ValueError, match='bootstrap must be 0 or >= 2 rounds'):
        LabelScore(palette=PALETTE, bootstrap=1)


def test_label_score_logs_per_class_iou_accuracy_and_predicted_share(monkeypatch):
    from cyclegan_plugin.evaluation.metrics import base_segmentation_metric

    lines = []
    monkeypatch.setattr(
        base_segmentation_metric, 'print_log', lambda text, logger: lines.append(text)
    )
    metric = LabelScore(palette=PALETTE, class_names=['a', 'b', 'c'])
    # Everything predicted as 'a': 'a' all right, 'b' all wrong, 'c' absent.
    metric.process({}, [sample(torch.zeros(SIZE, SIZE, dtype=torch.long))])
    metric.evaluate(1)
    assert lines == [
        'LabelScore-AtoB IoU per class: a 0.500, b 0.000, c -',
        'LabelScore-AtoB accuracy per class: a 1.000, b 0.000, c -',
        'LabelScore-AtoB share of the predicted pixels per class: a 1.000, b 0.000, '
        'c 0.000',
    ]


def test_label_score_needs_aligned_data_and_known_palette():
    with pytest.raises(ValueError, match='aligned=True'):
        LabelScore(palette=PALETTE).process({}, [sample(class_map(), aligned=False)])
    with pytest.raises(KeyError, match="named palettes: \\['cityscapes', 'facades'\\]"):
        LabelScore(palette='ade20k')
    with pytest.raises(ValueError, match='2 class names for a palette of 3'):
        LabelScore(palette=PALETTE, class_names=['a', 'b'])
    assert LabelScore().num_classes == 12  # the facades default


class TinySegmenter(BaseModule):
    """A 1x1-conv pixel classifier: the 'FCN' of these tests."""

    def __init__(self, num_classes: int = 3, init_cfg=None) -> None:
        super().__init__(init_cfg)
        self.classifier = torch.nn.Conv2d(3, num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(x)


# A registered model, so FCNScore can build it from a config.
MODELS.register_module(name='TinyTestSegmenter', module=TinySegmenter, force=True)


@pytest.fixture(scope='module')
def trained_segmenter() -> TinySegmenter:
    """Trained on noisy photo pixels until it reads every class right."""
    torch.manual_seed(0)
    model = TinySegmenter()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        labels = torch.randint(0, 3, (1, 16, 16))
        photo = paint(
            labels[0], PHOTO_COLOURS.tolist(), noise=20, seed=int(labels.sum())
        )
        logits = model(photo.unsqueeze(0).float() / 127.5 - 1)
        loss = torch.nn.functional.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.1
    return model.eval()


def test_fcn_score_from_torchscript_file(trained_segmenter, tmp_path):
    path = tmp_path / 'segmenter.pt'
    torch.jit.script(trained_segmenter.classifier).save(str(path))
    metric = FCNScore(model=str(path), palette=PALETTE, device='cpu')
    metric.process({}, [sample(class_map())])
    assert metric.evaluate(1) == {
        'FCN-PixelAcc-BtoA': 1.0,
        'FCN-ClassAcc-BtoA': 1.0,
        'FCN-mIoU-BtoA': 1.0,
    }
    metric.process({}, [sample(class_map(swap_top_half=True), aligned=False)])
    assert metric.evaluate(1) == {
        'FCN-PixelAcc-BtoA': pytest.approx(0.5),
        'FCN-ClassAcc-BtoA': pytest.approx(0.5),
        'FCN-mIoU-BtoA': pytest.approx(1 / 3),
    }


def test_fcn_score_from_registered_model_config(trained_segmenter, tmp_path):
    checkpoint = tmp_path / 'segmenter.pth'
    torch.save(trained_segmenter.state_dict(), checkpoint)
    model_cfg = dict(
        type='TinyTestSegmenter',
        init_cfg=dict(type='Pretrained', checkpoint=str(checkpoint)),
    )
    metric = FCNScore(model=model_cfg, palette=PALETTE, input_size=16, device='cpu')
    metric.process({}, [sample(class_map())])
    assert metric.evaluate(1)['FCN-mIoU-BtoA'] == 1.0


def test_fcn_score_skipped_without_model(monkeypatch):
    messages = []
    monkeypatch.setattr(
        fcn_module, 'print_log', lambda msg, **kwargs: messages.append(msg)
    )
    metric = FCNScore()
    metric.process({}, [sample(class_map())])
    assert metric.evaluate(1) == {}
    assert 'FCNScore skipped: no segmentation model configured' in messages[0]


def test_fcn_score_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.pt'):
        FCNScore(model=str(tmp_path / 'missing.pt'))
    five_classes = dict(type='TinyTestSegmenter', num_classes=5)
    metric = FCNScore(model=five_classes, palette=PALETTE, device='cpu')
    with pytest.raises(ValueError, match=r'\(N, 3, h, w\) logits'):
        metric.process({}, [sample(class_map())])


class _RunsCode:
    """Unpickling this writes ``marker``: stands for any code in a file."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f'open({self.marker!r}, "w").write("code ran")',))


def test_fcn_score_pretrained_init_runs_no_code(
    trained_segmenter, tmp_path, monkeypatch
):
    # torch < 2.6's default: torch.load unpickles everything unless told not to.
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    marker = tmp_path / 'code_ran'
    checkpoint = tmp_path / 'crafted.pth'
    state = dict(trained_segmenter.state_dict(), payload=_RunsCode(marker))
    torch.save(state, checkpoint)
    model_cfg = dict(
        type='TinyTestSegmenter',
        init_cfg=dict(type='Pretrained', checkpoint=str(checkpoint)),
    )
    with pytest.raises(ValueError, match='--trust-checkpoint'):
        FCNScore(model=model_cfg, palette=PALETTE, input_size=16, device='cpu')
    assert not marker.exists()
