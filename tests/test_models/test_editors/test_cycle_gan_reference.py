"""CycleGAN.train_step against a literal re-statement of the authors' algorithm.

The reference below follows REFERENCE.md §1 and the authors'
``cycle_gan_model.py`` / ``networks.py`` line by line, in plain PyTorch: their
``nn.Sequential`` networks, their ``ImagePool``, ``optimize_parameters`` in their
order. Both start from the same weights (the reference's, converted with our
junyanz converter) and see the same images; after 3 iterations with the buffer
in play every parameter of all four networks must agree.
"""

import torch
import torch.nn as nn

from cyclegan_plugin.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from cyclegan_plugin.utils.junyanz_format import junyanz_to_plugin

NGF, NDF, N_BLOCKS, N_LAYERS, SIZE = 8, 8, 2, 2, 32


# ---------------------------------------------------------------- reference
class RefResnetBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, 3, bias=True),
            nn.InstanceNorm2d(dim),
            nn.ReLU(True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, 3, bias=True),
            nn.InstanceNorm2d(dim),
        )

    def forward(self, x):
        return x + self.conv_block(x)


def ref_generator():
    model = [
        nn.ReflectionPad2d(3),
        nn.Conv2d(3, NGF, 7, bias=True),
        nn.InstanceNorm2d(NGF),
        nn.ReLU(True),
    ]
    for i in range(2):
        mult = 2**i
        model += [
            nn.Conv2d(NGF * mult, NGF * mult * 2, 3, 2, 1, bias=True),
            nn.InstanceNorm2d(NGF * mult * 2),
            nn.ReLU(True),
        ]
    model += [RefResnetBlock(NGF * 4) for _ in range(N_BLOCKS)]
    for i in range(2):
        mult = 2 ** (2 - i)
        model += [
            nn.ConvTranspose2d(
                NGF * mult, NGF * mult // 2, 3, 2, 1, output_padding=1, bias=True
            ),
            nn.InstanceNorm2d(NGF * mult // 2),
            nn.ReLU(True),
        ]
    model += [nn.ReflectionPad2d(3), nn.Conv2d(NGF, 3, 7), nn.Tanh()]
    net = nn.Module()
    net.model = nn.Sequential(*model)
    net.forward = net.model.forward
    return net


def ref_discriminator():
    seq = [nn.Conv2d(3, NDF, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, N_LAYERS):
        prev, mult = mult, min(2**n, 8)
        seq += [
            nn.Conv2d(NDF * prev, NDF * mult, 4, 2, 1, bias=True),
            nn.InstanceNorm2d(NDF * mult),
            nn.LeakyReLU(0.2, True),
        ]
    prev, mult = mult, min(2**N_LAYERS, 8)
    seq += [
        nn.Conv2d(NDF * prev, NDF * mult, 4, 1, 1, bias=True),
        nn.InstanceNorm2d(NDF * mult),
        nn.LeakyReLU(0.2, True),
        nn.Conv2d(NDF * mult, 1, 4, 1, 1),
    ]
    net = nn.Module()
    net.model = nn.Sequential(*seq)
    net.forward = net.model.forward
    return net


class RefImagePool:
    """The authors' ImagePool, drawing from a torch.Generator like ours."""

    def __init__(self, size, seed):
        self.size, self.images = size, []
        self.g = torch.Generator().manual_seed(seed)

    def query(self, images):
        out = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif torch.rand(1, generator=self.g).item() < 0.5:
                idx = int(torch.randint(0, self.size, (1,), generator=self.g))
                tmp = self.images[idx].clone()
                self.images[idx] = image
                out.append(tmp)
            else:
                out.append(image)
        return torch.cat(out, 0)


def ref_step(nets, opts, pools, real_A, real_B, lam=10.0, lam_idt=0.5):
    G_A, G_B, D_A, D_B = nets
    mse, l1 = nn.MSELoss(), nn.L1Loss()

    def gan(pred, real):
        return mse(pred, torch.full_like(pred, 1.0 if real else 0.0))

    fake_B = G_A(real_A)
    rec_A = G_B(fake_B)
    fake_A = G_B(real_B)
    rec_B = G_A(fake_A)
    for p in list(D_A.parameters()) + list(D_B.parameters()):
        p.requires_grad_(False)
    opts[0].zero_grad()
    idt_A, idt_B = G_A(real_B), G_B(real_A)
    loss_G = (
        gan(D_A(fake_B), True)
        + gan(D_B(fake_A), True)
        + l1(rec_A, real_A) * lam
        + l1(rec_B, real_B) * lam
        + l1(idt_A, real_B) * lam * lam_idt
        + l1(idt_B, real_A) * lam * lam_idt
    )
    loss_G.backward()
    opts[0].step()
    for p in list(D_A.parameters()) + list(D_B.parameters()):
        p.requires_grad_(True)
    opts[1].zero_grad()
    for D, real, fake, pool in (
        (D_A, real_B, fake_B, pools[0]),
        (D_B, real_A, fake_A, pools[1]),
    ):
        fake = pool.query(fake)
        loss_D = (gan(D(real), True) + gan(D(fake.detach()), False)) * 0.5
        loss_D.backward()
    opts[1].step()


def save_authors_files(nets, files):
    # The authors' networks keep their nn.Sequential as ``.model``.
    for net, path in zip(nets, files.values()):
        torch.save({f'model.{k}': v for k, v in net.model.state_dict().items()}, path)


# ---------------------------------------------------------------- the test
def test_three_iterations_match_reference(tmp_path):
    torch.manual_seed(0)
    nets = [ref_generator(), ref_generator(), ref_discriminator(), ref_discriminator()]
    for net in nets:
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)
    files = {
        role: tmp_path / f'latest_net_{role}.pth'
        for role in ('G_A', 'G_B', 'D_A', 'D_B')
    }
    save_authors_files(nets, files)
    converted = junyanz_to_plugin(files)

    model = MODELS.build(
        dict(
            type='CycleGAN',
            generator=dict(
                type='ResnetGenerator', base_channels=NGF, num_blocks=N_BLOCKS
            ),
            discriminator=dict(
                type='PatchDiscriminator', base_channels=NDF, num_conv=N_LAYERS
            ),
            buffer=dict(type='ImageBuffer', buffer_size=2, seed=5),
        )
    )
    missing, unexpected = model.load_state_dict(converted['state_dict'], strict=False)
    assert not unexpected
    assert all(k.startswith('image_buffers.') for k in missing)

    adam = dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))
    wrappers = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='MultiOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                generators=dict(optimizer=adam), discriminators=dict(optimizer=adam)
            ),
        )
    )(model)
    ref_opts = [
        torch.optim.Adam(
            list(nets[0].parameters()) + list(nets[1].parameters()),
            lr=2e-4,
            betas=(0.5, 0.999),
        ),
        torch.optim.Adam(
            list(nets[2].parameters()) + list(nets[3].parameters()),
            lr=2e-4,
            betas=(0.5, 0.999),
        ),
    ]
    # Our two buffers are built from one config: both seeded with 5.
    pools = [RefImagePool(2, seed=5), RefImagePool(2, seed=5)]

    g = torch.Generator().manual_seed(1)
    for _ in range(3):
        a = torch.randint(0, 256, (1, 3, SIZE, SIZE), generator=g, dtype=torch.uint8)
        b = torch.randint(0, 256, (1, 3, SIZE, SIZE), generator=g, dtype=torch.uint8)
        logs = model.train_step(dict(inputs=dict(img_A=a, img_B=b)), wrappers)
        ref_step(nets, ref_opts, pools, a.float() / 127.5 - 1, b.float() / 127.5 - 1)
        assert set(logs) >= {
            'loss_gan_A',
            'loss_gan_B',
            'loss_cycle_A',
            'loss_cycle_B',
            'loss_idt_A',
            'loss_idt_B',
            'loss_D_A',
            'loss_D_B',
        }

    state = model.state_dict()
    save_authors_files(nets, files)
    after = junyanz_to_plugin(files)['state_dict']
    worst = max((state[k] - v).abs().max().item() for k, v in after.items())
    assert worst < 1e-5, worst
    # And the weights did move, so the comparison is not vacuous.
    moved = max(
        (after[k] - v).abs().max().item() for k, v in converted['state_dict'].items()
    )
    assert moved > 1e-4
