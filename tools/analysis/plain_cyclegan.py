"""The authors' CycleGAN in plain PyTorch: the speed baseline and the reference.

Networks, GAN loss, image pool, weight init, ``optimize_parameters`` and
``save_networks`` are written after the authors' ``networks.py``,
``image_pool.py``, ``base_model.py`` and ``cycle_gan_model.py``
(junyanz/pytorch-CycleGAN-and-pix2pix) with no framework in between.
``tools/benchmark.py`` times our ``CycleGAN.train_step`` against
:meth:`PlainCycleGAN.train_step`; the tests check that our model trains to the
same weights (``tests/test_models/test_editors/test_cycle_gan_reference.py``
with the image pool in play, ``tests/test_tools/test_analysis/
test_plain_cyclegan.py`` in the benchmark's setting).
"""

import contextlib
import functools
import random
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn

PoolRng = Union[random.Random, torch.Generator]

# The authors' ``--norm instance``.
_norm_layer = functools.partial(
    nn.InstanceNorm2d, affine=False, track_running_stats=False
)


class ResnetBlock(nn.Module):
    """The authors' ``ResnetBlock``: reflection padding, instance norm."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, kernel_size=3, padding=0, bias=True),
            _norm_layer(dim),
            nn.ReLU(True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, kernel_size=3, padding=0, bias=True),
            _norm_layer(dim),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    """The authors' ``ResnetGenerator`` (3 -> 3 channels, no dropout).

    Args:
        ngf (int): Base channels. Defaults to 64.
        n_blocks (int): Residual blocks. Defaults to 9.
    """

    def __init__(self, ngf: int = 64, n_blocks: int = 9) -> None:
        super().__init__()
        model: List[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(3, ngf, kernel_size=7, padding=0, bias=True),
            _norm_layer(ngf),
            nn.ReLU(True),
        ]
        n_downsampling = 2
        for i in range(n_downsampling):
            mult = 2**i
            model += [
                nn.Conv2d(
                    ngf * mult, ngf * mult * 2, kernel_size=3, stride=2, padding=1,
                    bias=True,
                ),
                _norm_layer(ngf * mult * 2),
                nn.ReLU(True),
            ]  # fmt: skip
        mult = 2**n_downsampling
        model += [ResnetBlock(ngf * mult) for _ in range(n_blocks)]
        for i in range(n_downsampling):
            mult = 2 ** (n_downsampling - i)
            model += [
                nn.ConvTranspose2d(
                    ngf * mult, ngf * mult // 2, kernel_size=3, stride=2, padding=1,
                    output_padding=1, bias=True,
                ),
                _norm_layer(ngf * mult // 2),
                nn.ReLU(True),
            ]  # fmt: skip
        model += [nn.ReflectionPad2d(3)]
        model += [nn.Conv2d(ngf, 3, kernel_size=7, padding=0)]
        model += [nn.Tanh()]
        self.model = nn.Sequential(*model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class NLayerDiscriminator(nn.Module):
    """The authors' ``NLayerDiscriminator`` (PatchGAN, instance norm).

    Args:
        ndf (int): Base channels. Defaults to 64.
        n_layers (int): Strided conv layers; 3 is the 70x70 PatchGAN.
            Defaults to 3.
    """

    def __init__(self, ndf: int = 64, n_layers: int = 3) -> None:
        super().__init__()
        kw, padw = 4, 1
        sequence: List[nn.Module] = [
            nn.Conv2d(3, ndf, kernel_size=kw, stride=2, padding=padw),
            nn.LeakyReLU(0.2, True),
        ]
        nf_mult = 1
        for n in range(1, n_layers):
            nf_mult_prev, nf_mult = nf_mult, min(2**n, 8)
            sequence += [
                nn.Conv2d(
                    ndf * nf_mult_prev, ndf * nf_mult, kernel_size=kw, stride=2,
                    padding=padw, bias=True,
                ),
                _norm_layer(ndf * nf_mult),
                nn.LeakyReLU(0.2, True),
            ]  # fmt: skip
        nf_mult_prev, nf_mult = nf_mult, min(2**n_layers, 8)
        sequence += [
            nn.Conv2d(
                ndf * nf_mult_prev, ndf * nf_mult, kernel_size=kw, stride=1,
                padding=padw, bias=True,
            ),
            _norm_layer(ndf * nf_mult),
            nn.LeakyReLU(0.2, True),
        ]  # fmt: skip
        sequence += [
            nn.Conv2d(ndf * nf_mult, 1, kernel_size=kw, stride=1, padding=padw)
        ]
        self.model = nn.Sequential(*sequence)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class GANLoss(nn.Module):
    """The authors' ``GANLoss`` in ``lsgan`` mode: MSE to a 1 or 0 target."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer('real_label', torch.tensor(1.0))
        self.register_buffer('fake_label', torch.tensor(0.0))
        self.loss = nn.MSELoss()

    def forward(self, prediction: torch.Tensor, target_is_real: bool) -> torch.Tensor:
        target = self.real_label if target_is_real else self.fake_label
        return self.loss(prediction, target.expand_as(prediction))


class ImagePool:
    """The authors' ``ImagePool``, with its random draws made explicit.

    Until the pool holds ``pool_size`` images each one is stored and returned;
    then, on a coin flip, a random stored image is returned and replaced by
    the new one, otherwise the new one is returned.

    Args:
        pool_size (int): Images kept; 0 returns the batch unchanged.
        rng (random.Random | torch.Generator): Source of the draws. A
            ``random.Random`` draws as the authors do (``uniform(0, 1) > 0.5``,
            then ``randint``); a ``torch.Generator`` draws as our
            ``ImageBuffer`` does (``rand < 0.5``, then ``randint``), so that a
            pool follows ours image for image.
    """

    def __init__(self, pool_size: int, rng: PoolRng) -> None:
        self.pool_size, self.rng = pool_size, rng
        self.images: List[torch.Tensor] = []

    def _swap_id(self) -> Optional[int]:
        """The stored image to hand out instead of the new one, if any."""
        if isinstance(self.rng, torch.Generator):
            if torch.rand(1, generator=self.rng).item() < 0.5:
                return int(torch.randint(0, self.pool_size, (1,), generator=self.rng))
            return None
        if self.rng.uniform(0, 1) > 0.5:
            return self.rng.randint(0, self.pool_size - 1)
        return None

    def query(self, images: torch.Tensor) -> torch.Tensor:
        """Images for the discriminator: new ones or ones from the history."""
        if self.pool_size == 0:
            return images
        return_images = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.pool_size:
                self.images.append(image)
                return_images.append(image)
                continue
            random_id = self._swap_id()
            if random_id is None:
                return_images.append(image)
            else:
                tmp = self.images[random_id].clone()
                self.images[random_id] = image
                return_images.append(tmp)
        return torch.cat(return_images, 0)


class PlainCycleGAN(nn.Module):
    """The authors' CycleGAN training step in plain PyTorch.

    ResNet generators with reflection padding and instance norm, PatchGANs,
    LSGAN, cycle weight ``lambda_cycle`` for both domains, identity weight
    ``lambda_identity * lambda_cycle``, an image pool per discriminator, weights
    drawn from N(0, 0.02), two Adams (torch's default implementation), G step
    then D step: what MMagic and the authors run.

    Args:
        ngf (int): Generator base channels. Defaults to 64.
        n_blocks (int): Residual blocks. Defaults to 9.
        ndf (int): Discriminator base channels. Defaults to 64.
        n_layers (int): Discriminator strided layers. Defaults to 3.
        lambda_cycle (float): Cycle loss weight. Defaults to 10.0.
        lambda_identity (float): Identity weight relative to the cycle
            weight. Defaults to 0.5.
        pool_size (int): Images per pool. Defaults to 50.
        amp_dtype (torch.dtype, optional): Run the forward passes under
            ``torch.autocast`` with this dtype. Defaults to None (fp32).
        seed (int): Seed of the default pool draws. Defaults to 0.
        pool_rngs (Sequence[random.Random | torch.Generator], optional): The
            draws of the fake-B and the fake-A pool (see :class:`ImagePool`).
            Defaults to None: ``random.Random(seed)`` and
            ``random.Random(seed + 1)``.
    """

    model_names = ('G_A', 'G_B', 'D_A', 'D_B')

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
        pool_rngs: Optional[Sequence[PoolRng]] = None,
    ) -> None:
        super().__init__()
        self.netG_A = ResnetGenerator(ngf, n_blocks)
        self.netG_B = ResnetGenerator(ngf, n_blocks)
        self.netD_A = NLayerDiscriminator(ndf, n_layers)
        self.netD_B = NLayerDiscriminator(ndf, n_layers)
        # The authors' init_weights('normal', 0.02).
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)
        self.lambda_cycle, self.lambda_identity = lambda_cycle, lambda_identity
        if pool_rngs is None:
            pool_rngs = (random.Random(seed), random.Random(seed + 1))
        self.fake_B_pool, self.fake_A_pool = (
            ImagePool(pool_size, r) for r in pool_rngs
        )
        self.amp_dtype = amp_dtype
        self.criterionGAN = GANLoss()
        self.criterionCycle = nn.L1Loss()
        self.criterionIdt = nn.L1Loss()
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

    def _set_requires_grad(self, nets: Sequence[nn.Module], flag: bool) -> None:
        for net in nets:
            for param in net.parameters():
                param.requires_grad = flag

    def _backward_D_basic(
        self, netD: nn.Module, real: torch.Tensor, fake: torch.Tensor
    ) -> torch.Tensor:
        with self._autocast(real.device):
            loss_D_real = self.criterionGAN(netD(real), True)
            loss_D_fake = self.criterionGAN(netD(fake.detach()), False)
            loss_D = (loss_D_real + loss_D_fake) * 0.5
        loss_D.backward()
        return loss_D

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
        lambda_idt = self.lambda_identity
        lambda_A = lambda_B = self.lambda_cycle
        # forward
        with self._autocast(real_A.device):
            fake_B = self.netG_A(real_A)
            rec_A = self.netG_B(fake_B)
            fake_A = self.netG_B(real_B)
            rec_B = self.netG_A(fake_A)
        # G_A and G_B
        self._set_requires_grad([self.netD_A, self.netD_B], False)
        self.optimizer_G.zero_grad()
        with self._autocast(real_A.device):  # backward_G
            idt_A = self.netG_A(real_B)
            loss_idt_A = self.criterionIdt(idt_A, real_B) * lambda_B * lambda_idt
            idt_B = self.netG_B(real_A)
            loss_idt_B = self.criterionIdt(idt_B, real_A) * lambda_A * lambda_idt
            loss_G_A = self.criterionGAN(self.netD_A(fake_B), True)
            loss_G_B = self.criterionGAN(self.netD_B(fake_A), True)
            loss_cycle_A = self.criterionCycle(rec_A, real_A) * lambda_A
            loss_cycle_B = self.criterionCycle(rec_B, real_B) * lambda_B
            loss_G = (
                loss_G_A + loss_G_B + loss_cycle_A + loss_cycle_B
                + loss_idt_A + loss_idt_B
            )  # fmt: skip
        loss_G.backward()
        self.optimizer_G.step()
        # D_A and D_B
        self._set_requires_grad([self.netD_A, self.netD_B], True)
        self.optimizer_D.zero_grad()
        loss_D_A = self._backward_D_basic(
            self.netD_A, real_B, self.fake_B_pool.query(fake_B)
        )
        loss_D_B = self._backward_D_basic(
            self.netD_B, real_A, self.fake_A_pool.query(fake_A)
        )
        self.optimizer_D.step()
        return dict(
            loss_G=loss_G.detach(), loss_D=loss_D_A.detach() + loss_D_B.detach()
        )

    def translate(self, real_A: torch.Tensor) -> torch.Tensor:
        """``G_A(real_A)``: ``(N, 3, H, W)`` in [-1, 1] in and out."""
        with self._autocast(real_A.device):
            return self.netG_A(real_A)

    def save_networks(
        self, save_dir: Union[str, Path], epoch: str = 'latest'
    ) -> Dict[str, Path]:
        """The authors' ``save_networks``: ``{epoch}_net_{role}.pth`` files.

        Args:
            save_dir (str | Path): Existing folder to write to.
            epoch (str): File-name prefix. Defaults to ``'latest'``.

        Returns:
            dict[str, Path]: The file of each of ``G_A``, ``G_B``, ``D_A``,
            ``D_B``, as ``cyclegan_plugin.converters.junyanz`` reads them.
        """
        files = {}
        for name in self.model_names:
            files[name] = Path(save_dir) / f'{epoch}_net_{name}.pth'
            torch.save(getattr(self, f'net{name}').state_dict(), files[name])
        return files
