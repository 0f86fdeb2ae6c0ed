"""History of generated images (Shrivastava et al. 2017), as CycleGAN uses it."""

from typing import Any, Dict, List, Optional

import torch
import torch.nn as nn

from cyclegan_plugin.registry import MODELS


@MODELS.register_module()
class ImageBuffer(nn.Module):
    """Pool of previously generated images fed to the discriminator.

    For each image of the query batch: while the pool holds fewer than
    ``buffer_size`` images, the image is stored and returned; once full, with
    probability ``buffer_ratio`` a random stored image is returned and the new
    image takes its place, otherwise the new image is returned. This is the
    authors' ``ImagePool`` rule; ``buffer_size=0`` returns the batch unchanged.

    Stored images are detached float32 copies. The pool's content and its
    random generator are part of ``state_dict()`` (through
    ``get_extra_state``), so a resumed run continues with the same history.

    Args:
        buffer_size (int): Number of images kept. Defaults to 50.
        buffer_ratio (float): Probability of swapping in a stored image once
            the pool is full. Defaults to 0.5.
        seed (int, optional): Seed of the pool's ``torch.Generator``. None
            draws one from torch's global generator, so the runner's
            ``randomness.seed`` makes it reproducible. Defaults to None.
    """

    def __init__(
        self,
        buffer_size: int = 50,
        buffer_ratio: float = 0.5,
        seed: Optional[int] = None,
    ) -> None:
        super().__init__()
        if buffer_size < 0:
            raise ValueError(
                f'buffer_size must be >= 0, but got buffer_size: {buffer_size}'
            )
        if not 0.0 <= buffer_ratio <= 1.0:
            raise ValueError(
                f'buffer_ratio must be in [0, 1], but got buffer_ratio: {buffer_ratio}'
            )
        self.buffer_size = int(buffer_size)
        self.buffer_ratio = float(buffer_ratio)
        if seed is None:
            seed = int(torch.randint(0, 2**62, (1,)).item())
        self.generator = torch.Generator().manual_seed(int(seed))
        self.images: List[torch.Tensor] = []

    def __len__(self) -> int:
        return len(self.images)

    @torch.no_grad()
    def query(self, images: torch.Tensor) -> torch.Tensor:
        """Return a batch drawn from the history and update it.

        Args:
            images (Tensor): Newly generated images ``(N, C, H, W)``.

        Returns:
            Tensor: Detached float32 images ``(N, C, H, W)``: for each position
            either the new image or one from the history.
        """
        images = images.detach().float()
        if self.buffer_size == 0:
            return images
        out = []
        for image in images:
            image = image.clone()
            if len(self.images) < self.buffer_size:
                self.images.append(image)
                out.append(image)
                continue
            if torch.rand(1, generator=self.generator).item() < self.buffer_ratio:
                idx = int(
                    torch.randint(
                        0, self.buffer_size, (1,), generator=self.generator
                    ).item()
                )
                out.append(self.images[idx].to(image.device))
                self.images[idx] = image
            else:
                out.append(image)
        return torch.stack(out, dim=0)

    def get_extra_state(self) -> Dict[str, Any]:
        """State saved by ``state_dict()``: stored images and RNG state."""
        images = (
            torch.stack([im.cpu() for im in self.images])
            if self.images
            else torch.empty(0)
        )
        return dict(images=images, rng_state=self.generator.get_state())

    def set_extra_state(self, state: Dict[str, Any]) -> None:
        """Restore what :meth:`get_extra_state` saved.

        Raises:
            ValueError: If the state holds more images than ``buffer_size``.
        """
        images = state['images']
        if images.numel() and len(images) > self.buffer_size:
            raise ValueError(
                f'The checkpoint holds {len(images)} buffered images but '
                f'buffer_size is {self.buffer_size}; set buffer_size >= '
                f'{len(images)} in the config to resume from it.'
            )
        self.images = list(images.unbind(0)) if images.numel() else []
        self.generator.set_state(state['rng_state'])

    def extra_repr(self) -> str:
        return f'buffer_size={self.buffer_size}, buffer_ratio={self.buffer_ratio}'
