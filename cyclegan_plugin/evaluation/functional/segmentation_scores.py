"""Confusion-matrix scores of label maps: pixel/class accuracy and mean IoU."""

from typing import Dict

import numpy as np
import torch


def colors_to_labels(image: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    """Class index of each pixel: the nearest palette colour (Euclidean in RGB).

    Generated and JPEG-compressed label maps hold colours between the
    palette's; the nearest one decides.

    Args:
        image (torch.Tensor): uint8 RGB label map of shape (3, H, W).
        palette (torch.Tensor): Class colours of shape (K, 3).

    Returns:
        torch.Tensor: int64 class indices of shape (H, W).
    """
    pixels = image.permute(1, 2, 0).reshape(-1, 1, 3).float()
    distances = (pixels - palette.float().reshape(1, -1, 3)).pow(2).sum(-1)
    return distances.argmin(dim=1).reshape(image.shape[1:])


def confusion_matrix(
    prediction: torch.Tensor, truth: torch.Tensor, num_classes: int
) -> np.ndarray:
    """Counts of (true class, predicted class) over the pixels.

    Args:
        prediction (torch.Tensor): int64 class indices, any shape.
        truth (torch.Tensor): int64 class indices, the same shape.
        num_classes (int): K.

    Returns:
        np.ndarray: int64 (K, K); row = true class, column = predicted class.

    Raises:
        ValueError: If the shapes differ or an index is outside [0, K).
    """
    if prediction.shape != truth.shape:
        raise ValueError(
            f'prediction {tuple(prediction.shape)} and truth {tuple(truth.shape)} '
            'must have the same shape'
        )
    prediction, truth = prediction.reshape(-1).long(), truth.reshape(-1).long()
    for name, labels in (('prediction', prediction), ('truth', truth)):
        if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f'{name} holds class indices outside [0, {num_classes})')
    counts = torch.bincount(truth * num_classes + prediction, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes).numpy().astype(np.int64)


def segmentation_scores(confusion: np.ndarray) -> Dict[str, float]:
    """Per-pixel accuracy, per-class accuracy and mean IoU of a confusion matrix.

    The paper's FCN scores (Zhu et al. 2017, Table 2). A class absent from both
    truth and prediction over the whole matrix does not count in the means
    (the authors' script counts it as 0). A class that is predicted but never
    true counts with accuracy 0 and IoU 0.

    Args:
        confusion (np.ndarray): (K, K) counts, row = truth, column = prediction.

    Returns:
        dict[str, float]: ``pixel_acc``, ``class_acc`` and ``mean_iou``.

    Raises:
        ValueError: If the matrix is empty (no pixel).
    """
    confusion = np.asarray(confusion, dtype=np.float64)
    total = confusion.sum()
    if total == 0:
        raise ValueError('the confusion matrix holds no pixel')
    hits = np.diag(confusion)
    true_counts, predicted_counts = confusion.sum(1), confusion.sum(0)
    union = true_counts + predicted_counts - hits
    present = union > 0
    class_acc = np.divide(
        hits, true_counts, out=np.zeros_like(hits), where=true_counts > 0
    )
    iou = np.divide(hits, union, out=np.zeros_like(hits), where=present)
    return dict(
        pixel_acc=float(hits.sum() / total),
        class_acc=float(class_acc[present].mean()),
        mean_iou=float(iou[present].mean()),
    )
