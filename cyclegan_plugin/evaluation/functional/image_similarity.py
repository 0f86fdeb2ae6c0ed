"""Full-reference similarity of two uint8 images: PSNR, SSIM and L1."""

import math

import torch
import torch.nn.functional as F


def _check_pair(img1: torch.Tensor, img2: torch.Tensor) -> None:
    if img1.shape != img2.shape or img1.ndim != 3:
        raise ValueError(
            'expected two images of the same (C, H, W) shape, got '
            f'{tuple(img1.shape)} and {tuple(img2.shape)}'
        )
    if img1.dtype != torch.uint8 or img2.dtype != torch.uint8:
        raise TypeError(
            f'expected uint8 images in [0, 255], got {img1.dtype} and {img2.dtype}'
        )


def psnr(img1: torch.Tensor, img2: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB, peak 255, over all pixels and channels.

    Args:
        img1 (torch.Tensor): uint8 image of shape (C, H, W).
        img2 (torch.Tensor): uint8 image of the same shape.

    Returns:
        float: ``10 log10(255^2 / MSE)``; ``inf`` for identical images.
    """
    _check_pair(img1, img2)
    mse = (img1.double() - img2.double()).pow(2).mean().item()
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def l1_distance(img1: torch.Tensor, img2: torch.Tensor) -> float:
    """Mean absolute difference with pixel values scaled to [0, 1].

    Args:
        img1 (torch.Tensor): uint8 image of shape (C, H, W).
        img2 (torch.Tensor): uint8 image of the same shape.

    Returns:
        float: ``mean(|img1 - img2|) / 255``, in [0, 1].
    """
    _check_pair(img1, img2)
    return (img1.double() - img2.double()).abs().mean().item() / 255.0


def _gaussian_window(size: int, sigma: float) -> torch.Tensor:
    coords = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    kernel = torch.exp(-(coords**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    return torch.outer(kernel, kernel)


def ssim(
    img1: torch.Tensor,
    img2: torch.Tensor,
    window_size: int = 11,
    sigma: float = 1.5,
) -> float:
    """Structural similarity (Wang et al. 2004) averaged over pixels and channels.

    The standard setting: Gaussian window 11x11 with sigma 1.5, K1 = 0.01,
    K2 = 0.03, dynamic range 255, local statistics only where the window fits
    in the image ('valid' filtering, as MMagic and the reference MATLAB code do).

    Args:
        img1 (torch.Tensor): uint8 image of shape (C, H, W).
        img2 (torch.Tensor): uint8 image of the same shape.
        window_size (int): Side of the Gaussian window. Defaults to 11.
        sigma (float): Standard deviation of the window. Defaults to 1.5.

    Returns:
        float: The mean SSIM, in [-1, 1]; 1 for identical images.

    Raises:
        ValueError: If the images are smaller than the window.
    """
    _check_pair(img1, img2)
    channels, height, width = img1.shape
    if height < window_size or width < window_size:
        raise ValueError(
            f'SSIM needs images of at least {window_size}x{window_size}, '
            f'got {height}x{width}'
        )
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    window = _gaussian_window(window_size, sigma).expand(channels, 1, -1, -1)
    x = img1.double().unsqueeze(0)
    y = img2.double().unsqueeze(0)

    def local_mean(t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(t, window, groups=channels)

    mu_x, mu_y = local_mean(x), local_mean(y)
    var_x = local_mean(x * x) - mu_x**2
    var_y = local_mean(y * y) - mu_y**2
    cov_xy = local_mean(x * y) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov_xy + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    )
    return ssim_map.mean().item()
