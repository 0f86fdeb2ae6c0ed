import numpy as np
import pytest
import torch

from cyclegan_plugin.evaluation.functional import (
    colors_to_labels,
    confusion_matrix,
    segmentation_scores,
)

PALETTE = torch.tensor([[0, 0, 200], [250, 80, 0], [190, 255, 60]])


def halves() -> torch.Tensor:
    """4x4 truth: class 0 on the left half, class 1 on the right."""
    truth = torch.zeros(4, 4, dtype=torch.long)
    truth[:, 2:] = 1
    return truth


def test_nearest_palette_colour():
    image = torch.tensor([[[3, 240]], [[5, 70]], [[190, 12]]], dtype=torch.uint8)
    assert colors_to_labels(image, PALETTE).tolist() == [[0, 1]]


def test_two_classes_swapped_on_half_the_pixels_and_an_absent_class():
    truth = halves()
    prediction = truth.clone()
    prediction[:2] = 1 - truth[:2]  # top half: 0 <-> 1
    confusion = confusion_matrix(prediction, truth, 3)
    assert confusion.tolist() == [[4, 4, 0], [4, 4, 0], [0, 0, 0]]
    scores = segmentation_scores(confusion)
    assert scores['pixel_acc'] == pytest.approx(0.5)
    assert scores['class_acc'] == pytest.approx(0.5)
    # IoU = 4 / (8 + 8 - 4) for both; class 2 is in neither map, so it does
    # not pull the mean down to 2/9.
    assert scores['mean_iou'] == pytest.approx(1 / 3)


def test_class_predicted_but_never_true_counts_as_zero():
    truth = torch.zeros(4, 4, dtype=torch.long)
    prediction = truth.clone()
    prediction[0] = 2
    scores = segmentation_scores(confusion_matrix(prediction, truth, 3))
    assert scores['pixel_acc'] == pytest.approx(0.75)
    assert scores['class_acc'] == pytest.approx((0.75 + 0) / 2)
    assert scores['mean_iou'] == pytest.approx((12 / 16 + 0) / 2)


def test_perfect_prediction():
    truth = halves()
    assert segmentation_scores(confusion_matrix(truth, truth, 3)) == dict(
        pixel_acc=1.0, class_acc=1.0, mean_iou=1.0
    )


def test_errors():
    with pytest.raises(ValueError, match='same shape'):
        confusion_matrix(
            torch.zeros(2, 2, dtype=torch.long), torch.zeros(3, 3, dtype=torch.long), 2
        )
    with pytest.raises(ValueError, match=r'outside \[0, 2\)'):
        confusion_matrix(torch.full((2, 2), 2), torch.zeros(2, 2, dtype=torch.long), 2)
    with pytest.raises(ValueError, match='no pixel'):
        segmentation_scores(np.zeros((2, 2)))
