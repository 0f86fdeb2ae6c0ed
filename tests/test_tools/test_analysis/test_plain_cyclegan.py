"""The plain baseline, as the benchmark builds it, computes what ours computes."""

import torch
from analysis.plain_cyclegan import PlainCycleGAN

from cyclegan_plugin.converters.junyanz import junyanz_to_plugin
from cyclegan_plugin.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

NGF, NDF, BLOCKS, LAYERS, SIZE = 8, 8, 1, 2, 32


def plain_state(plain, folder):
    """The plain networks in our key layout, read as the authors' files."""
    folder.mkdir(exist_ok=True)
    return junyanz_to_plugin(plain.save_networks(folder))['state_dict']


def ours_from(plain, tmp_path):
    model = MODELS.build(
        dict(
            type='CycleGAN',
            generator=dict(
                type='ResnetGenerator', base_channels=NGF, num_blocks=BLOCKS
            ),
            discriminator=dict(
                type='PatchDiscriminator', base_channels=NDF, num_conv=LAYERS
            ),
        )
    )
    missing, unexpected = model.load_state_dict(
        plain_state(plain, tmp_path / 'start'), strict=False
    )
    assert not unexpected and all(k.startswith('image_buffers') for k in missing)
    adam = dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))
    wrappers = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='MultiOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                generators=dict(optimizer=adam), discriminators=dict(optimizer=adam)
            ),
        )
    )(model)
    return model, wrappers


def test_two_steps_match_our_train_step(tmp_path):
    torch.manual_seed(0)
    plain = PlainCycleGAN(ngf=NGF, n_blocks=BLOCKS, ndf=NDF, n_layers=LAYERS)
    model, wrappers = ours_from(plain, tmp_path)
    g = torch.Generator().manual_seed(1)
    for _ in range(2):  # both pools are filling: each returns the new fakes
        a, b = (
            torch.randint(0, 256, (1, 3, SIZE, SIZE), generator=g, dtype=torch.uint8)
            for _ in 'AB'
        )
        model.train_step(dict(inputs=dict(img_A=a, img_B=b)), wrappers)
        plain.train_step(a.float() / 127.5 - 1, b.float() / 127.5 - 1)
    ours = dict(model.named_parameters())
    theirs = plain_state(plain, tmp_path / 'end')
    assert set(theirs) == set(ours)
    for key, value in theirs.items():
        torch.testing.assert_close(ours[key], value, rtol=0, atol=1e-5, msg=key)


def test_bf16_step_and_translate_run():
    plain = PlainCycleGAN(
        ngf=4, n_blocks=1, ndf=4, n_layers=1, amp_dtype=torch.bfloat16
    )
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    before = [p.clone() for p in plain.parameters()]
    plain.train_step(x, x.flip(-1))
    assert all(p.dtype == torch.float32 for p in plain.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, plain.parameters()))
    assert plain.translate(x).shape == x.shape
