"""Timing CycleGAN training and inference: the engine of ``tools/benchmark.py``.

Every variant (:class:`BenchmarkVariant`) of every config is built once,
warmed up, then timed in rounds that interleave them all, so that a load
change on a shared machine hits all of them alike; the reported time is the
median over rounds and speed-ups are medians of per-round ratios.
"""

import copy
import inspect
import os
import statistics
import tempfile
import time
from typing import Callable, Dict, List, Literal, Mapping, Optional, Sequence, Union

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
    options = dict(
        channels_last=variant.channels_last,
        compile_cfg=dict() if variant.compile else None,
        cpu_kernels=False,
    )
    # A model without CycleGAN's speed options (CUT) runs without them.
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        model_cls = MODELS.get(model_cfg['type'])
    accepted = inspect.signature(model_cls).parameters if model_cls else {}
    for key, value in options.items():
        if key in accepted:
            model_cfg[key] = value
        elif value not in (False, None):
            raise ValueError(
                f'Variant {variant.name!r} needs the model option {key}, which '
                f'{model_cfg["type"]} does not have; drop it from --variants.'
            )
    if variant.checkpointing or variant.checkpointing_all:
        model_cfg['generator']['with_cp'] = 'all' if variant.checkpointing_all else True
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
    if (
        variant.amp == 'fp16'
        and variant.impl != 'onnxruntime'
        and not device.startswith('cuda')
    ):
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
        fp16 = variant.amp == 'fp16'
        return _inference(_onnxruntime_generator(cfg, fp16), real[0])
    model, wrappers = _build_ours(cfg, variant, device)
    if mode == 'train':
        return lambda: model.train_step(data, wrappers)
    generator = model.generators.A  # compiled with the model if asked
    x = real[0].contiguous(memory_format=model.memory_format)
    dtype = variant.amp_dtype
    return _inference(
        lambda t: _autocast(generator, t, dtype) if dtype else generator(t), x
    )


def _direct(variant: BenchmarkVariant) -> BenchmarkVariant:
    """The variant whose work a variant's is counted as (fp32 eager)."""
    return BenchmarkVariant('plain' if variant.impl == 'plain' else 'ours')


def _onnxruntime_generator(cfg: Config, fp16: bool = False) -> torch.nn.Module:
    """Our G_A (the seeded weights of every variant) under ORT.

    With ``fp16`` the float16 graph behind a float32 interface, written only
    if it stays within the export's tolerance (else the export refuses).
    """
    from cyclegan_plugin.deploy import ExportedGenerator, export_generator

    model, _ = _build_ours(cfg, BenchmarkVariant(), 'cpu')
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'g.onnx')
        export_generator(model.generators.A.eval(), path, 'AtoB', 'onnx', fp16=fp16)
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
    cfg: Union[Config, Mapping[str, Config]],
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
        cfg (Config | Mapping[str, Config]): A training config, or several
            by name (e.g. CycleGAN, CUT and FastCUT): each variant of each
            config is timed in the same interleaved rounds.
        variants (Sequence[BenchmarkVariant]): What to compare, for every
            config.
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
        list[dict]: Per config and variant: ``config`` (its name, None for
        a single config), ``sec_per_iter`` (median over rounds),
        ``sec_per_iter_rounds``, ``images_per_sec`` (images per domain and
        second), ``gflop_per_iter``, ``gflops`` (achieved), memory (see
        :func:`peak_memory_mb`), ``speedup_vs_plain`` (median per-round ratio
        to the fp32 ``plain`` variant of the same config, if any),
        ``time_vs_first_config`` (median per-round ratio of its time to the
        same variant's with the first config; None for one config),
        ``valid`` (False when the last training step had a non-finite loss
        or skipped updates: its time is not comparable) and the setting.
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
    configs = (
        dict(cfg)
        if isinstance(cfg, Mapping) and not isinstance(cfg, Config)
        else {None: cfg}
    )
    if not configs:
        raise ValueError('run_benchmark needs at least one config.')
    cases = [(name, v) for name in configs for v in variants]
    load_start = os.getloadavg()[0] if hasattr(os, 'getloadavg') else None
    fns, extra = {}, {}
    gflop: Dict[tuple, float] = {}
    for case in cases:
        name, v = case
        fns[case] = build_callable(configs[name], v, mode, size, batch_size, device)
        for _ in range(warmup):
            fns[case]()
        sync()
        extra[case] = (
            peak_memory_mb(
                configs[name],
                v,
                mode,
                size,
                batch_size,
                device,
                fns[case],
                keep_freed_memory,
            )
            if measure_memory
            else dict(peak_mem_mb=None)
        )
        # The work is that of the direct method in fp32 eager: precision and
        # layout do not change it, compiled code hides it, and Winograd does
        # it with fewer multiplications (so its GFLOP/s are effective ones);
        # ONNX Runtime runs our network, whose work PyTorch can count.
        key = (name, _direct(v))
        if key not in gflop:
            eager = (
                fns[case]
                if v == key[1]
                else build_callable(
                    configs[name], key[1], mode, size, batch_size, device
                )
            )
            gflop[key] = count_gflop(eager)
    rounds: Dict[tuple, List[float]] = {case: [] for case in cases}
    last: Dict[tuple, object] = {}
    for _ in range(repeats):
        for case in cases:
            sync()
            start = time.perf_counter()
            for _ in range(iters):
                last[case] = fns[case]()
            sync()
            rounds[case].append((time.perf_counter() - start) / iters)
    profiles = {c: profile_ops(fns[c], profile_rows) for c in cases if profile_rows}
    first = next(iter(configs))

    def ratio(numerator: tuple, denominator: tuple) -> Optional[float]:
        if numerator not in rounds or denominator not in rounds:
            return None
        pairs = zip(rounds[numerator], rounds[denominator])
        return round(statistics.median(n / d for n, d in pairs), 3)

    results = []
    for case in cases:
        name, v = case
        sec = statistics.median(rounds[case])
        work = gflop[(name, _direct(v))]
        reference = last.get((name, BenchmarkVariant())) if mode == 'infer' else None
        results.append(
            dict(
                mode=mode,
                config=name,
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
                sec_per_iter_rounds=[round(t, 4) for t in rounds[case]],
                images_per_sec=round(batch_size / sec, 3),
                gflop_per_iter=round(work, 2),
                gflops=round(work / sec, 1),
                speedup_vs_plain=ratio((name, BenchmarkVariant('plain')), case),
                time_vs_first_config=ratio(case, (first, v))
                if len(configs) > 1
                else None,
                **{k: m and round(m, 1) for k, m in extra[case].items()},
                load_avg_1m=[load_start, os.getloadavg()[0] if load_start else None],
                torch=torch.__version__,
                valid=_valid(last[case]),
                max_abs_diff_vs_fp32=_deviation(v, last[case], reference),
                **({'profile': profiles[case]} if case in profiles else {}),
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
    configs = any(r.get('config') is not None for r in results)
    head = '| config ' if configs else ''
    tail = ''
    if configs:
        tail += ' time vs first config |'
    if compared:
        tail += ' max diff vs fp32 |'
    lines = [
        head + '| variant | s/iter | images/s | vs plain | GFLOP/s | peak MB |' + tail,
        ('|---' if configs else '')
        + '|---|---:|---:|---:|---:|---:|'
        + '---:|' * (configs + compared),
    ]
    for r in results:
        ratio = f'{r["speedup_vs_plain"]:.2f}x' if r['speedup_vs_plain'] else '-'
        if not r['valid']:
            ratio += ' (invalid: non-finite losses, updates skipped)'
        cells = [r['config']] if configs else []
        cells += [
            r['variant'],
            f'{r["sec_per_iter"]:.3f}',
            f'{r["images_per_sec"]:.2f}',
            ratio,
            f'{r["gflops"]:.0f}',
            f'{r["peak_mem_mb"] or 0:.0f}',
        ]
        if configs:
            cells.append(f'{r["time_vs_first_config"]:.2f}x')
        if compared:
            diff = r.get('max_abs_diff_vs_fp32')
            cells.append('-' if diff is None else f'{diff:.2g}')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
