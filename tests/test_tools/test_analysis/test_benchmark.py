"""run_benchmark: results for every variant and mode, the same work counted."""

import pytest
import torch
from analysis.benchmark import (
    _build_ours,
    _valid,
    build_callable,
    results_table,
    run_benchmark,
)
from analysis.benchmark_measures import count_gflop
from analysis.benchmark_variant import BenchmarkVariant as V
from mmengine.config import Config

from cyclegan_plugin.models.generators.resnet_generator import CHECKPOINTABLE_STAGES

ADAM = dict(type='FastAdam', lr=2e-4, betas=(0.5, 0.999))
CFG = Config(
    dict(
        model=dict(
            type='CycleGAN',
            generator=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
            discriminator=dict(type='PatchDiscriminator', base_channels=4, num_conv=2),
        ),
        optim_wrapper=dict(
            constructor='MultiOptimWrapperConstructor',
            generators=dict(type='OptimWrapper', optimizer=ADAM),
            discriminators=dict(type='OptimWrapper', optimizer=ADAM),
        ),
    )
)


def test_plain_and_ours_do_the_same_work():
    # Same networks, same calls: the counted FLOPs must agree exactly.
    for mode in ('train', 'infer'):
        flops = [
            count_gflop(build_callable(CFG, V(impl), mode, size=32))
            for impl in ('plain', 'ours')
        ]
        assert flops[0] > 0 and flops[0] == flops[1]


def test_results_for_each_variant_and_table():
    variants = [V('plain'), V(), V(amp='bf16', channels_last=True), V(winograd=True)]
    results = run_benchmark(
        CFG, variants, 'train', size=32, iters=1, warmup=1, repeats=2,
        measure_memory=False,
    )  # fmt: skip
    assert [r['variant'] for r in results] == [v.name for v in variants]
    for r in results:
        assert len(r['sec_per_iter_rounds']) == 2 and r['sec_per_iter'] > 0
        assert r['images_per_sec'] == pytest.approx(1 / r['sec_per_iter'], rel=0.01)
        assert r['gflops'] == pytest.approx(
            r['gflop_per_iter'] / r['sec_per_iter'], rel=0.1, abs=0.2
        )  # gflops is rounded to 0.1, a large share of a 32 px step's figure
        assert r['speedup_vs_plain'] > 0 and r['threads'] == torch.get_num_threads()
        assert r['valid']
    assert results[0]['speedup_vs_plain'] == 1.0
    # Winograd does the direct method's work with fewer multiplications: its
    # GFLOP/s are counted on the direct method's work.
    assert (
        results[3]['winograd']
        and results[3]['gflop_per_iter'] == (results[1]['gflop_per_iter'])
    )
    table = results_table(results)
    assert table.count('\n') == 5 and 'ours+bf16+channels_last' in table


def test_checkpointing_variant_checkpoints_both_networks():
    model, _ = _build_ours(CFG, V(checkpointing=True), 'cpu')
    assert model.generators.A.checkpointed_stages == {'blocks'}
    assert model.discriminators.A.with_cp
    model, _ = _build_ours(CFG, V(checkpointing_all=True), 'cpu')
    assert model.generators.B.checkpointed_stages == set(CHECKPOINTABLE_STAGES)
    results = run_benchmark(
        CFG, [V(), V(checkpointing=True)], 'train', size=32, iters=1, warmup=0,
        repeats=1, measure_memory=False,
    )  # fmt: skip
    assert results[1]['checkpointing'] and not results[0]['checkpointing']
    # Work is counted on the plain method (recomputation is overhead).
    assert results[1]['gflop_per_iter'] == results[0]['gflop_per_iter']


def test_inference_with_memory_in_a_fresh_process():
    (result,) = run_benchmark(
        CFG, [V(compile=False)], 'infer', size=32, iters=1, warmup=0, repeats=1
    )
    assert result['mode'] == 'infer'
    assert result['peak_mem_mb'] > result['base_mem_mb'] > 0


def test_onnxruntime_inference_does_our_work():
    ours, ort, layout = run_benchmark(
        CFG, [V(), V('onnxruntime'), V(channels_last=True)], 'infer', size=32,
        iters=1, warmup=1, repeats=1, measure_memory=False,
    )  # fmt: skip
    assert ort['variant'] == 'onnxruntime+fp32' and ort['sec_per_iter'] > 0
    assert ort['gflop_per_iter'] == ours['gflop_per_iter']
    # Same seed, same weights: the graph computes what ours computes.
    assert ours['max_abs_diff_vs_fp32'] == 0
    assert ort['max_abs_diff_vs_fp32'] < 1e-4
    # Also with another memory layout (initialised in the default one).
    assert layout['max_abs_diff_vs_fp32'] < 1e-4
    assert 'max diff vs fp32' in results_table([ours, ort])
    # The graph of our generator: equal outputs from equally seeded builds.
    outputs = []
    for impl in ('ours', 'onnxruntime'):
        torch.manual_seed(0)
        outputs.append(build_callable(CFG, V(impl), 'infer', size=32)())
    assert outputs[1].shape == (1, 3, 32, 32)
    assert torch.allclose(outputs[0], outputs[1], atol=1e-4)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match='CPU inference only'):
        build_callable(CFG, V('onnxruntime'), 'train', size=32)
    with pytest.raises(ValueError, match='fp16 needs'):
        build_callable(CFG, V(amp='fp16'), size=32, device='cpu')
    with pytest.raises(ValueError, match='iters and repeats'):
        run_benchmark(CFG, [V()], iters=0)
    unet = CFG.copy()
    unet.model = dict(CFG.model, generator=dict(type='UnetGenerator'))
    with pytest.raises(ValueError, match='plain baseline'):
        build_callable(unet, V('plain'), size=32)


def test_skipped_updates_make_a_result_invalid():
    assert _valid(dict(loss_G=torch.tensor(1.0)))
    assert not _valid(dict(loss_G=torch.tensor(float('nan'))))
    assert not _valid(
        dict(loss_G=torch.tensor(1.0), nonfinite_skipped=torch.tensor(1.0))
    )
    assert _valid(torch.zeros(1))  # inference output


def test_several_configs_interleaved_each_against_the_first():
    # CycleGAN and CUT (no speed options, no plain baseline) in one run.
    cut = Config(
        dict(
            model=dict(
                type='CUT',
                generator=dict(type='ResnetGenerator', base_channels=4, num_blocks=1),
                discriminator=dict(
                    type='PatchDiscriminator', base_channels=4, num_conv=2
                ),
                sampler=dict(type='PatchSampleF', num_channels=8),
                nce_layers=['stem.pad', 'downsample.0.conv'],
                num_patches=4,
            ),
            optim_wrapper=CFG.optim_wrapper,
        )
    )
    results = run_benchmark(
        {'cyclegan': CFG, 'cut': cut}, [V(), V(amp='bf16')], 'train', size=32,
        iters=1, warmup=1, repeats=2, measure_memory=False,
    )  # fmt: skip
    assert [(r['config'], r['variant']) for r in results] == [
        ('cyclegan', 'ours+fp32'),
        ('cyclegan', 'ours+bf16'),
        ('cut', 'ours+fp32'),
        ('cut', 'ours+bf16'),
    ]
    assert results[0]['time_vs_first_config'] == results[1]['time_vs_first_config']
    assert results[0]['time_vs_first_config'] == 1.0
    for cycle, contrastive in zip(results[:2], results[2:]):
        ratios = [c / f for c, f in zip(
            contrastive['sec_per_iter_rounds'], cycle['sec_per_iter_rounds']
        )]  # fmt: skip
        assert contrastive['time_vs_first_config'] == pytest.approx(
            sum(ratios) / 2, rel=0.02
        )  # the median of two rounds, from times rounded to 0.1 ms
        # One generator and one discriminator: less work than CycleGAN's two.
        assert 0 < contrastive['gflop_per_iter'] < cycle['gflop_per_iter']
        assert contrastive['speedup_vs_plain'] is None and contrastive['valid']
    table = results_table(results).splitlines()
    assert table[0].startswith('| config |') and 'time vs first config' in table[0]
    assert table[4].startswith('| cut | ours+fp32 |')
    with pytest.raises(ValueError, match='model option channels_last, which CUT'):
        run_benchmark({'cut': cut}, [V(channels_last=True)], measure_memory=False)
    with pytest.raises(ValueError, match='at least one config'):
        run_benchmark({}, [V()])


def test_onnxruntime_fp16_graph_within_the_export_tolerance():
    from cyclegan_plugin.deploy.half_precision_generator import FP16_TOLERANCE

    ours, half = run_benchmark(
        CFG, [V(), V('onnxruntime', amp='fp16')], 'infer', size=32,
        iters=1, warmup=1, repeats=1, measure_memory=False,
    )  # fmt: skip
    assert half['variant'] == 'onnxruntime+fp16' and half['valid']
    assert half['gflop_per_iter'] == ours['gflop_per_iter']
    # float16 arithmetic: not float32's result, but within the tolerance.
    assert 0 < half['max_abs_diff_vs_fp32'] <= FP16_TOLERANCE
