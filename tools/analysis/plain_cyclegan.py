"""A plain-PyTorch CycleGAN step, as the authors wrote it: the speed baseline.

Networks, losses, image pool and ``optimize_parameters`` follow the authors'
``networks.py`` / ``cycle_gan_model.py`` (REFERENCE.md §1) with no framework in
between; ``tools/benchmark.py`` times our ``CycleGAN.train_step`` against it.
"""

import contextlib
import random
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


def _resnet_generator(ngf: int, n_blocks: int) -> nn.Sequential:
    def norm(c: int) -> nn.Module:
        return nn.InstanceNorm2d(c, affine=False, track_running_stats=False)

    class ResnetBlock(nn.Module):
        def __init__(self, dim: int) -> None:
            super().__init__()
            self.conv_block = nn.Sequential(
                nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), norm(dim), nn.ReLU(True),
                nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), norm(dim),
            )  # fmt: skip

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x + self.conv_block(x)

    layers: List[nn.Module] = [
        nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), norm(ngf), nn.ReLU(True)
    ]  # fmt: skip
    for i in range(2):
        c = ngf * 2**i
        layers += [nn.Conv2d(c, 2 * c, 3, 2, 1), norm(2 * c), nn.ReLU(True)]
    layers += [ResnetBlock(ngf * 4) for _ in range(n_blocks)]
    for i in range(2):
        c = ngf * 2 ** (2 - i)
        layers += [
            nn.ConvTranspose2d(c, c // 2, 3, 2, 1, output_padding=1),
            norm(c // 2),
            nn.ReLU(True),
        ]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Tanh()]
    return nn.Sequential(*layers)


def _patch_discriminator(ndf: int, n_layers: int) -> nn.Sequential:
    layers: List[nn.Module] = [nn.Conv2d(3, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, n_layers + 1):
        prev, mult = mult, min(2**n, 8)
        layers += [
            nn.Conv2d(ndf * prev, ndf * mult, 4, 2 if n < n_layers else 1, 1),
            nn.InstanceNorm2d(ndf * mult),
            nn.LeakyReLU(0.2, True),
        ]
    layers += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
    return nn.Sequential(*layers)


class _ImagePool:
    def __init__(self, size: int, seed: int) -> None:
        self.size, self.images, self.rng = size, [], random.Random(seed)

    def query(self, images: torch.Tensor) -> torch.Tensor:
        if self.size == 0:
            return images
        out = []
        for image in images.detach():
            image = image[None]
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif self.rng.uniform(0, 1) > 0.5:
                i = self.rng.randint(0, self.size - 1)
                out.append(self.images[i].clone())
                self.images[i] = image
            else:
                out.append(image)
        return torch.cat(out, 0)


class PlainCycleGAN(nn.Module):
    """The authors' CycleGAN training step in plain PyTorch.

    ResNet generators with reflection padding and instance norm, 70x70
    PatchGANs, LSGAN, cycle weight ``lambda_cycle``, identity weight
    ``lambda_identity * lambda_cycle``, a 50-image pool, two Adams (torch's
    default implementation), G step then D step: what MMagic and the authors
    run, which ``docs/benchmarks.md`` compares our ``CycleGAN`` with.

    Args:
        ngf (int): Generator base channels. Defaults to 64.
        n_blocks (int): Residual blocks. Defaults to 9.
        ndf (int): Discriminator base channels. Defaults to 64.
        n_layers (int): Discriminator strided layers. Defaults to 3.
        lambda_cycle (float): Cycle loss weight. Defaults to 10.0.
        lambda_identity (float): Identity weight relative to the cycle
            weight. Defaults to 0.5.
        pool_size (int): Image pool size. Defaults to 50.
        amp_dtype (torch.dtype, optional): Run the forward passes under
            ``torch.autocast`` with this dtype. Defaults to None (fp32).
        seed (int): Seed of the image pool. Defaults to 0.
    """

    def __init__(
        self,
        ngf: int = 64,
        n_blocks: int = 9,
        ndf: int = 64,
        n_layers: int = 3,
        lambda_cycle: float = 10.0,
        lambda_identity: float = 0.5,
        pool_size: int = 50,
        amp_dtype: Optional[torch.dtype] = None,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.netG_A, self.netG_B = (_resnet_generator(ngf, n_blocks) for _ in 'AB')
        self.netD_A, self.netD_B = (_patch_discriminator(ndf, n_layers) for _ in 'AB')
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)
        self.lambda_cycle, self.lambda_identity = lambda_cycle, lambda_identity
        self.pools = (_ImagePool(pool_size, seed), _ImagePool(pool_size, seed + 1))
        self.amp_dtype = amp_dtype
        self.optimizer_G = torch.optim.Adam(
            [*self.netG_A.parameters(), *self.netG_B.parameters()],
            lr=2e-4,
            betas=(0.5, 0.999),
        )
        self.optimizer_D = torch.optim.Adam(
            [*self.netD_A.parameters(), *self.netD_B.parameters()],
            lr=2e-4,
            betas=(0.5, 0.999),
        )

    def _autocast(self, device: torch.device):
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.type, dtype=self.amp_dtype)

    @staticmethod
    def _gan_loss(pred: torch.Tensor, real: bool) -> torch.Tensor:
        target = torch.tensor(1.0 if real else 0.0, device=pred.device)
        return F.mse_loss(pred, target.expand_as(pred))

    def _set_requires_grad(self, flag: bool) -> None:
        for p in [*self.netD_A.parameters(), *self.netD_B.parameters()]:
            p.requires_grad = flag

    def train_step(
        self, real_A: torch.Tensor, real_B: torch.Tensor
    ) -> Dict[str, torch.Tensor]:
        """The authors' ``optimize_parameters``: G step, then D step.

        Args:
            real_A (Tensor): ``(N, 3, H, W)`` domain-A images in [-1, 1].
            real_B (Tensor): ``(N, 3, H, W)`` domain-B images in [-1, 1].

        Returns:
            dict[str, Tensor]: ``loss_G`` and ``loss_D`` (D_A's plus D_B's),
            detached.
        """
        lam, idt = self.lambda_cycle, self.lambda_identity * self.lambda_cycle
        with self._autocast(real_A.device):
            fake_B = self.netG_A(real_A)
            rec_A = self.netG_B(fake_B)
            fake_A = self.netG_B(real_B)
            rec_B = self.netG_A(fake_A)
        self._set_requires_grad(False)
        self.optimizer_G.zero_grad()
        with self._autocast(real_A.device):
            loss_idt = idt * (
                F.l1_loss(self.netG_A(real_B), real_B)
                + F.l1_loss(self.netG_B(real_A), real_A)
            )
            loss_G = (
                self._gan_loss(self.netD_A(fake_B), True)
                + self._gan_loss(self.netD_B(fake_A), True)
                + lam * (F.l1_loss(rec_A, real_A) + F.l1_loss(rec_B, real_B))
                + loss_idt
            )
        loss_G.backward()
        self.optimizer_G.step()
        self._set_requires_grad(True)
        self.optimizer_D.zero_grad()
        losses_D = []
        for net, real, fake, pool in (
            (self.netD_A, real_B, fake_B, self.pools[0]),
            (self.netD_B, real_A, fake_A, self.pools[1]),
        ):
            with self._autocast(real_A.device):
                fake = pool.query(fake)
                loss_D = 0.5 * (
                    self._gan_loss(net(real), True)
                    + self._gan_loss(net(fake.detach()), False)
                )
            loss_D.backward()
            losses_D.append(loss_D.detach())
        self.optimizer_D.step()
        return dict(loss_G=loss_G.detach(), loss_D=sum(losses_D))

    def translate(self, real_A: torch.Tensor) -> torch.Tensor:
        """``G_A(real_A)``: ``(N, 3, H, W)`` in [-1, 1] in and out."""
        with self._autocast(real_A.device):
            return self.netG_A(real_A)
