"""Timing CycleGAN training and inference: the engine of ``tools/benchmark.py``.

Every variant (:class:`BenchmarkVariant`) is built once, warmed up, then timed
in rounds that interleave the variants, so that a load change on a shared
machine hits all of them alike; the reported time is the median over rounds
and speed-ups are medians of per-round ratios.
"""

import copy
import os
import statistics
import tempfile
import time
from typing import Callable, Dict, List, Literal, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from cyclegan_plugin.apis import enable_amp
from cyclegan_plugin.ops import convert_to_cpu_kernels, keep_freed_cpu_memory
from cyclegan_plugin.registry import MODELS, build_in_scope

from .benchmark_measures import count_gflop, peak_memory_mb, profile_ops
from .benchmark_variant import BenchmarkVariant
from .plain_cyclegan import PlainCycleGAN

Mode = Literal['train', 'infer']
_WRAPPER_DTYPES = {'bf16': 'bfloat16', 'fp16': 'float16'}


def _images(batch_size: int, size: int, seed: int) -> List[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [
        torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
        for _ in range(batch_size)
    ]


def _plain_from_cfg(model_cfg: dict, amp_dtype) -> PlainCycleGAN:
    gen, disc = model_cfg['generator'], model_cfg['discriminator']
    if gen.get('type') != 'ResnetGenerator' or disc.get('type') != (
        'PatchDiscriminator'
    ):
        raise ValueError(
            "The plain baseline is the authors' ResNet generator + PatchGAN, "
            f'but the config has {gen.get("type")} + {disc.get("type")}; '
            'benchmark such a config without the plain variant.'
        )
    return PlainCycleGAN(
        ngf=gen.get('base_channels', 64),
        n_blocks=gen.get('num_blocks', 9),
        ndf=disc.get('base_channels', 64),
        n_layers=disc.get('num_conv', 3),
        amp_dtype=amp_dtype,
    )


def _build_ours(cfg: Config, variant: BenchmarkVariant, device: str):
    model_cfg = copy.deepcopy(cfg.model.to_dict())
    model_cfg.update(
        channels_last=variant.channels_last,
        compile_cfg=dict() if variant.compile else None,
        cpu_kernels=False,
    )
    if variant.checkpointing or variant.checkpointing_all:
        model_cfg['generator']['with_cp'] = (
            ['downsample', 'blocks', 'upsample'] if variant.checkpointing_all else True
        )
        model_cfg['discriminator']['with_cp'] = True
    model = build_in_scope(MODELS, model_cfg)
    # The conversion that model.cpu_kernels=True makes, layer kind by layer
    # kind (torch.compile traces at the first call, so it sees the new
    # layers); freed memory is kept (or not) for the whole run by the caller.
    if variant.winograd or variant.thin_head or variant.fused_norm:
        convert_to_cpu_kernels(
            model.generators,
            winograd=variant.winograd,
            thin_conv=variant.thin_head,
            fused_norm=variant.fused_norm,
        )
    # Seeded here: every variant of ours gets the same weights, so inference
    # outputs can be compared. normal_() fills a channels_last tensor in its
    # storage order, i.e. other values at each position: those variants take
    # the weights of the default layout.
    if variant.channels_last:
        reference = build_in_scope(
            MODELS, dict(model_cfg, channels_last=False, compile_cfg=None)
        )
        torch.manual_seed(0)
        reference.init_weights()
        model.load_state_dict(reference.state_dict())
    else:
        torch.manual_seed(0)
        model.init_weights()
    model.to(device).train()
    optim_cfg = Config(dict(optim_wrapper=copy.deepcopy(cfg.optim_wrapper)))
    if variant.amp != 'none':
        enable_amp(optim_cfg, _WRAPPER_DTYPES[variant.amp])
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        wrappers = build_optim_wrapper(model, optim_cfg.optim_wrapper)
    return model, wrappers


def build_callable(
    cfg: Config,
    variant: BenchmarkVariant,
    mode: Mode = 'train',
    size: int = 128,
    batch_size: int = 1,
    device: str = 'cpu',
) -> Callable[[], object]:
    """Build what one timed iteration runs.

    Args:
        cfg (Config): A training config (its ``model`` and ``optim_wrapper``).
        variant (BenchmarkVariant): Implementation, precision and options.
        mode (str): ``'train'``: one ``train_step`` on a batch of random
            uint8 images of each domain (preprocessing included); ``'infer'``:
            ``G_A`` on ``(batch_size, 3, size, size)`` images under
            ``torch.inference_mode``. Defaults to ``'train'``.
        size (int): Image height and width. Defaults to 128.
        batch_size (int): Images per domain and iteration. Defaults to 1.
        device (str): ``'cpu'`` or ``'cuda'``. Defaults to ``'cpu'``.

    Returns:
        Callable[[], object]: Runs one iteration.

    Raises:
        ValueError: For fp16 without CUDA, the plain step on a config
            other than ResNet generator + PatchGAN, or ONNX Runtime training.
    """
    if variant.amp == 'fp16' and not device.startswith('cuda'):
        raise ValueError('fp16 needs loss scaling on a GPU; use --device cuda.')
    if variant.impl == 'onnxruntime' and (mode != 'infer' or device != 'cpu'):
        raise ValueError('onnxruntime is timed for CPU inference only (--mode infer)')
    data = dict(
        inputs=dict(
            img_A=_images(batch_size, size, 0), img_B=_images(batch_size, size, 1)
        )
    )
    real = [
        (torch.stack(data['inputs'][k]).float() / 127.5 - 1).to(device)
        for k in ('img_A', 'img_B')
    ]
    if variant.impl == 'plain':
        plain = _plain_from_cfg(cfg.model, variant.amp_dtype).to(device)
        if mode == 'train':
            return lambda: plain.train_step(*real)
        return _inference(lambda x: plain.translate(x), real[0])
    if variant.impl == 'onnxruntime':
        return _inference(_onnxruntime_generator(cfg), real[0])
    model, wrappers = _build_ours(cfg, variant, device)
    if mode == 'train':
        return lambda: model.train_step(data, wrappers)
    generator = model.generators.A  # compiled with the model if asked
    x = real[0].contiguous(memory_format=model.memory_format)
    dtype = variant.amp_dtype
    return _inference(
        lambda t: _autocast(generator, t, dtype) if dtype else generator(t), x
    )


def _work_key(variant: BenchmarkVariant, mode: Mode) -> str:
    impl = 'ours' if variant.impl == 'onnxruntime' else variant.impl
    return f'{impl}-{mode}'


def _onnxruntime_generator(cfg: Config) -> torch.nn.Module:
    """Our G_A (initial weights: speed does not depend on them) under ORT."""
    from cyclegan_plugin.deploy import ExportedGenerator, export_generator

    model, _ = _build_ours(cfg, BenchmarkVariant(), 'cpu')
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'g.onnx')
        export_generator(model.generators.A.eval(), path, 'AtoB', 'onnx')
        # The session holds the graph in memory; the file can go.
        return ExportedGenerator(path, 'onnxruntime')


def _autocast(generator, x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    with torch.autocast(device_type=x.device.type, dtype=dtype):
        return generator(x)


def _inference(fn: Callable, x: torch.Tensor) -> Callable[[], object]:
    def run():
        with torch.inference_mode():
            return fn(x)

    return run


def run_benchmark(
    cfg: Config,
    variants: Sequence[BenchmarkVariant],
    mode: Mode = 'train',
    size: int = 128,
    batch_size: int = 1,
    iters: int = 3,
    warmup: int = 2,
    repeats: int = 5,
    device: str = 'cpu',
    measure_memory: bool = True,
    keep_freed_memory: bool = False,
    profile_rows: int = 0,
) -> List[dict]:
    """Time variants interleaved and return one result dict per variant.

    Args:
        cfg (Config): A training config.
        variants (Sequence[BenchmarkVariant]): What to compare.
        mode (str): ``'train'`` or ``'infer'``, see :func:`build_callable`.
            Defaults to ``'train'``.
        size (int): Image size. Defaults to 128.
        batch_size (int): Images per domain and iteration. Defaults to 1.
        iters (int): Iterations per variant and round. Defaults to 3.
        warmup (int): Untimed iterations per variant first. Defaults to 2.
        repeats (int): Rounds; each times every variant once. Defaults to 5.
        device (str): ``'cpu'`` or ``'cuda'``. Defaults to ``'cpu'``.
        measure_memory (bool): Measure peak memory (on the CPU in a process
            per variant, which takes a few seconds each). Defaults to True.
        keep_freed_memory (bool): Call :func:`keep_freed_cpu_memory` first.
            It is process-wide, so it holds for every variant of the run,
            the plain baseline included. Defaults to False.
        profile_rows (int): After timing, profile one more iteration of each
            variant and report its top operators (:func:`profile_ops`) as
            ``profile``; 0 skips it. Defaults to 0.

    Returns:
        list[dict]: Per variant: ``sec_per_iter`` (median over rounds),
        ``sec_per_iter_rounds``, ``images_per_sec`` (images per domain and
        second), ``gflop_per_iter``, ``gflops`` (achieved), memory (see
        :func:`peak_memory_mb`), ``speedup_vs_plain`` (median per-round ratio
        to the fp32 ``plain`` variant, if any), ``valid`` (False when the
        last training step had a non-finite loss or skipped updates: its
        time is not comparable) and the setting.
    """
    if min(iters, repeats) < 1 or warmup < 0:
        raise ValueError(
            f'iters and repeats must be >= 1 and warmup >= 0, but got '
            f'iters={iters}, repeats={repeats}, warmup={warmup}'
        )
    cuda = device.startswith('cuda')
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    if keep_freed_memory and not cuda and not keep_freed_cpu_memory():
        raise ValueError(
            'keep_freed_memory needs glibc (mallopt), which this process lacks.'
        )
    load_start = os.getloadavg()[0] if hasattr(os, 'getloadavg') else None
    fns, extra = {}, {}
    gflop: Dict[str, float] = {}
    for v in variants:
        fns[v] = build_callable(cfg, v, mode, size, batch_size, device)
        for _ in range(warmup):
            fns[v]()
        sync()
        extra[v] = (
            peak_memory_mb(
                cfg, v, mode, size, batch_size, device, fns[v], keep_freed_memory
            )
            if measure_memory
            else dict(peak_mem_mb=None)
        )
        # The work is that of the direct method in fp32 eager: precision and
        # layout do not change it, compiled code hides it, and Winograd does
        # it with fewer multiplications (so its GFLOP/s are effective ones);
        # ONNX Runtime runs our network, whose work PyTorch can count.
        key = _work_key(v, mode)
        if key not in gflop:
            direct = BenchmarkVariant(key.split('-')[0])
            eager = (
                fns[v]
                if v == direct
                else build_callable(cfg, direct, mode, size, batch_size, device)
            )
            gflop[key] = count_gflop(eager)
    rounds: Dict[BenchmarkVariant, List[float]] = {v: [] for v in variants}
    last: Dict[BenchmarkVariant, object] = {}
    for _ in range(repeats):
        for v in variants:
            sync()
            start = time.perf_counter()
            for _ in range(iters):
                last[v] = fns[v]()
            sync()
            rounds[v].append((time.perf_counter() - start) / iters)
    profiles = {v: profile_ops(fns[v], profile_rows) for v in variants if profile_rows}
    plain = next((v for v in variants if v == BenchmarkVariant('plain')), None)
    reference = last.get(BenchmarkVariant()) if mode == 'infer' else None
    results = []
    for v in variants:
        sec = statistics.median(rounds[v])
        work = gflop[_work_key(v, mode)]
        results.append(
            dict(
                mode=mode,
                variant=v.name,
                impl=v.impl,
                amp=v.amp,
                channels_last=v.channels_last,
                compile=v.compile,
                winograd=v.winograd,
                thin_head=v.thin_head,
                fused_norm=v.fused_norm,
                checkpointing=v.checkpointing,
                checkpointing_all=v.checkpointing_all,
                keep_freed_memory=keep_freed_memory,
                size=size,
                batch_size=batch_size,
                device=device,
                threads=torch.get_num_threads(),
                iters=iters,
                repeats=repeats,
                sec_per_iter=round(sec, 4),
                sec_per_iter_rounds=[round(t, 4) for t in rounds[v]],
                images_per_sec=round(batch_size / sec, 3),
                gflop_per_iter=round(work, 2),
                gflops=round(work / sec, 1),
                speedup_vs_plain=round(
                    statistics.median(p / t for p, t in zip(rounds[plain], rounds[v])),
                    3,
                )
                if plain is not None
                else None,
                **{k: m and round(m, 1) for k, m in extra[v].items()},
                load_avg_1m=[load_start, os.getloadavg()[0] if load_start else None],
                torch=torch.__version__,
                valid=_valid(last[v]),
                max_abs_diff_vs_fp32=_deviation(v, last[v], reference),
                **({'profile': profiles[v]} if v in profiles else {}),
            )
        )
    return results


def _deviation(variant: BenchmarkVariant, output, reference) -> Optional[float]:
    """Largest difference of an inference output from ours in fp32 (same weights)."""
    if reference is None or variant.impl == 'plain':
        return None
    return round(float((output.float() - reference.float()).abs().max()), 6)


def _valid(output: object) -> bool:
    """False if a training step skipped updates or a loss is not finite.

    A variant whose steps skip their updates (our non-finite guard) does less
    work than the others: its time must not be read as a speed-up.
    """
    if not isinstance(output, dict):
        return True
    return 'nonfinite_skipped' not in output and all(
        bool(torch.isfinite(v).all()) for v in output.values()
    )


def profile_table(result: dict) -> str:
    """A Markdown table of one result's ``profile``."""
    lines = [
        f'{result["variant"]}: top operators of one iteration',
        '',
        '| operator | self ms | share |',
        '|---|---:|---:|',
    ]
    lines += [
        f'| `{p["op"]}` | {p["self_ms"]:.1f} | {100 * p["share"]:.1f}% |'
        for p in result['profile']
    ]
    return '\n'.join(lines)


def results_table(results: Sequence[dict]) -> str:
    """A Markdown table of :func:`run_benchmark` results (one mode)."""
    compared = any(r.get('max_abs_diff_vs_fp32') is not None for r in results)
    extra = (' max diff vs fp32 |', '---:|') if compared else ('', '')
    lines = [
        '| variant | s/iter | images/s | vs plain | GFLOP/s | peak MB |' + extra[0],
        '|---|---:|---:|---:|---:|---:|' + extra[1],
    ]
    for r in results:
        ratio = f'{r["speedup_vs_plain"]:.2f}x' if r['speedup_vs_plain'] else '-'
        if not r['valid']:
            ratio += ' (invalid: non-finite losses, updates skipped)'
        diff = r.get('max_abs_diff_vs_fp32')
        lines.append(
            f'| {r["variant"]} | {r["sec_per_iter"]:.3f} | '
            f'{r["images_per_sec"]:.2f} | {ratio} | {r["gflops"]:.0f} | '
            f'{r["peak_mem_mb"] or 0:.0f} |'
            + (f' {"-" if diff is None else f"{diff:.2g}"} |' if compared else '')
        )
    return '\n'.join(lines)
