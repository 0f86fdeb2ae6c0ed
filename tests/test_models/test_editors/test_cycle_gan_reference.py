"""CycleGAN.train_step against a literal re-statement of the authors' algorithm.

The reference, ``tools/analysis/plain_cyclegan.py``, follows the authors'
``cycle_gan_model.py`` / ``networks.py`` line by line, in plain PyTorch: their
``nn.Sequential`` networks, their ``ImagePool``, ``optimize_parameters`` in their
order. Both start from the same weights (the reference's, converted with our
junyanz converter) and see the same images; after 3 iterations with the buffer
in play every parameter of all four networks must agree.
"""

import torch
from analysis.plain_cyclegan import PlainCycleGAN

from cyclegan_plugin.converters.junyanz import junyanz_to_plugin
from cyclegan_plugin.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

NGF, NDF, N_BLOCKS, N_LAYERS, SIZE = 8, 8, 2, 2, 32


def test_three_iterations_match_reference(tmp_path):
    torch.manual_seed(0)
    # Our two buffers are built from one config: both seeded with 5, and they
    # draw from a torch.Generator, which the reference's pools then follow.
    ref = PlainCycleGAN(
        ngf=NGF,
        n_blocks=N_BLOCKS,
        ndf=NDF,
        n_layers=N_LAYERS,
        pool_size=2,
        pool_rngs=[torch.Generator().manual_seed(5) for _ in 'AB'],
    )
    converted = junyanz_to_plugin(ref.save_networks(tmp_path))

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
    g = torch.Generator().manual_seed(1)
    for _ in range(3):
        a = torch.randint(0, 256, (1, 3, SIZE, SIZE), generator=g, dtype=torch.uint8)
        b = torch.randint(0, 256, (1, 3, SIZE, SIZE), generator=g, dtype=torch.uint8)
        logs = model.train_step(dict(inputs=dict(img_A=a, img_B=b)), wrappers)
        ref.train_step(a.float() / 127.5 - 1, b.float() / 127.5 - 1)
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
    after = junyanz_to_plugin(ref.save_networks(tmp_path))['state_dict']
    worst = max((state[k] - v).abs().max().item() for k, v in after.items())
    assert worst < 1e-5, worst
    # And the weights did move, so the comparison is not vacuous.
    moved = max(
        (after[k] - v).abs().max().item() for k, v in converted['state_dict'].items()
    )
    assert moved > 1e-4
