"""The layout of the GPU check's JSON report, its check and its documentation.

Each table lists ``(key, type, meaning)``; a type is ``str``, ``int``,
``float`` (an int is accepted), ``bool``, ``list`` or ``dict``, with
``| null`` where the value may be missing. Part fields are required when the
part's status is ``ok`` (for ``cuda_tests`` also ``skipped_on_cpu``); a
failed part has ``error`` and whatever it measured before failing.
"""

from typing import Any, Dict, List, Sequence, Tuple

SCHEMA_VERSION = 1
CHECK_PARTS = (
    'env',
    'cuda_tests',
    'benchmark',
    'train_bf16',
    'checkpointing',
    'ddp',
    'benchmark_compile',  # last: compiling may take minutes
)
QUALITY_PARTS = ('env', 'quality_train', 'quality_scores')
PART_STATUSES = ('ok', 'failed', 'skipped', 'skipped_on_cpu')
VARIANT_STATUSES = ('ok', 'failed', 'not_applicable', 'skipped')

Table = Sequence[Tuple[str, str, str]]

REPORT: Table = (
    ('schema_version', 'int', f'layout of this file: {SCHEMA_VERSION}'),
    ('tool', 'str', "'tools/gpu_check.py'"),
    ('argv', 'list', 'the command line'),
    ('mode', 'str', "'check', or 'quality' (--quality MINUTES)"),
    ('device', 'str', "'cuda' or 'cpu'"),
    ('quick', 'bool', 'tiny sizes and iteration counts (the CPU dry run)'),
    ('started', 'str', 'start, ISO 8601 UTC'),
    ('finished', 'str', 'end, ISO 8601 UTC'),
    ('seconds', 'float', 'wall time of the whole check'),
    ('budget_s', 'float', 'time budget that all parts shared'),
    ('status', 'str', "'ok' when no part failed, else 'failed'"),
    ('failed', 'list', 'names of the failed parts'),
    ('work_dir', 'str | null', 'the kept --work-dir (null: a removed temporary one)'),
    ('parts', 'dict', 'part name -> its result, in the order run (tables below)'),
)
PART: Table = (
    ('status', 'str', "'ok', 'failed', 'skipped' (not run: no time left, or it "
     "needs what failed) or 'skipped_on_cpu'"),
    ('seconds', 'float', 'wall time of the part'),
    ('error', 'str', "failed only: why, in one line"),
    ('reason', 'str', 'skipped, skipped_on_cpu only: why'),
    ('log_tail', 'list', "failed only: stderr's lines saying why, then its last"),
)  # fmt: skip
PARTS: Dict[str, Table] = {
    'env': (
        ('python', 'str', 'Python version'),
        ('platform', 'str', 'operating system'),
        ('cpu', 'str | null', 'CPU model'),
        ('cpu_count', 'int', 'logical CPUs'),
        ('torch', 'str', 'torch version'),
        ('torch_cuda', 'str | null', 'CUDA version torch was built with'),
        ('cudnn', 'int | null', 'cuDNN version (null without CUDA)'),
        ('cuda_available', 'bool', 'torch.cuda.is_available()'),
        ('gpu_count', 'int', 'GPUs torch sees'),
        ('gpus', 'list', 'per GPU: index, name, capability, memory_gib'),
        ('driver', 'str | null', 'NVIDIA driver version (nvidia-smi)'),
        ('nvidia_smi', 'str | null', 'nvidia-smi: index, name, driver, memory'),
        ('mmengine', 'str', 'MMEngine version'),
        ('mmcv', 'str', 'mmcv version'),
        ('cyclegan_plugin', 'str', 'plugin version'),
        ('git_commit', 'str | null', 'commit of the checkout'),
        ('git_dirty', 'bool | null', 'tracked files changed since the commit'),
    ),
    'cuda_tests': (
        ('collected', 'int', 'tests whose skip reason says they need CUDA'),
        ('counts', 'dict', 'outcome -> tests: passed, failed, error, skipped, not run'),
        ('tests', 'list', 'per test: id, outcome, message'),
    ),
    'benchmark': (
        ('config', 'str', 'the benchmarked config'),
        ('size', 'int', 'image size (256; --quick: 32)'),
        ('iters', 'int', 'iterations per timed round'),
        ('warmup', 'int', 'untimed iterations first'),
        ('repeats', 'int', 'timed rounds (median reported)'),
        ('memory_measure', 'str | null', 'what peak_mem_mb is (null: not measured)'),
        ('results', 'list', 'the 5 eager variants at batch 1 and 4: table below'),
    ),
    'benchmark_compile': (
        ('config', 'str', 'as in benchmark'),
        ('size', 'int', 'as in benchmark'),
        ('iters', 'int', 'as in benchmark'),
        ('warmup', 'int', 'untimed iterations first, compilation included'),
        ('repeats', 'int', 'as in benchmark'),
        ('memory_measure', 'str | null', 'as in benchmark'),
        ('results', 'list', 'bf16+compile at batch 1 and 4: table below'),
    ),
    'train_bf16': (
        ('config', 'str', "'configs/cyclegan_demo_bf16.py'"),
        ('amp', 'str', "'bf16'"),
        ('max_iters', 'int', '300 (--quick: 10)'),
        ('iterations', 'int', 'last iteration logged'),
        ('finite', 'bool', 'every logged loss finite'),
        ('first_nonfinite', 'str | null', "e.g. 'loss_G at iteration 120'"),
        ('losses', 'dict', 'last logged value of each loss'),
        ('nonfinite_skipped', 'int', 'updates the non-finite guard skipped'),
        ('sec_per_iter', 'float | null', 'median logged time per iteration'),
        ('metrics', 'dict', 'last validation scores (PSNR/SSIM/L1; --quick: none)'),
        ('checkpoint', 'str | null', 'the last checkpoint'),
    ),
    'checkpointing': (
        ('config', 'str', "'configs/cyclegan_h2z.py' (ResNet-9, PatchGAN)"),
        ('size', 'int', 'image size (512; --quick: 64)'),
        ('batch_size', 'int', '1'),
        ('base_channels', 'int', 'network width (64; --quick: 16)'),
        ('variant', 'str', "'ours+fp32'"),
        ('measure', 'str', 'what peak_mem_mb is'),
        ('with_cp', 'dict', "setting -> with_cp of G and D: 'none', 'blocks', 'all'"),
        ('peak_mem_mb', 'dict', 'setting -> peak memory of a training step, MiB'),
        ('base_mem_mb', 'dict | null', 'CPU: setting -> the process before building'),
        ('saving_mb', 'dict', "setting -> peak_mem_mb['none'] - peak_mem_mb[setting]"),
        ('saving_fraction', 'dict', "setting -> saving_mb / peak_mem_mb['none']"),
        ('sec_per_iter', 'dict | null', 'CUDA: setting -> seconds per step'),
        ('errors', 'dict', 'setting -> why it failed (empty when none did)'),
    ),
    'ddp': (
        ('config', 'str', "'configs/cyclegan_demo.py'"),
        ('world_size', 'int', 'processes: one per GPU (CPU: 2)'),
        ('expected_backend', 'str', "'nccl' (CPU: 'gloo')"),
        ('backend', 'str | null', "rank 0's process-group backend"),
        ('ranks', 'list', 'per rank: rank, world_size, backend, device, '
         'model_wrapper, weights_sha256'),
        ('weights_identical', 'bool', 'all ranks ended with the same weights'),
        ('max_iters', 'int', '100 (--quick: 4)'),
        ('iterations', 'int', 'last iteration logged'),
        ('finite', 'bool', 'every logged loss finite'),
        ('losses', 'dict', 'last logged value of each loss (rank 0)'),
        ('sec_per_iter', 'float | null', 'median logged time per iteration'),
    ),
    'quality_train': (
        ('config', 'str', "'configs/cyclegan_h2z.py'"),
        ('data_root', 'str', 'the data set (trainA, trainB, testA, testB)'),
        ('amp', 'str', "'bf16' or 'fp32'"),
        ('minutes', 'float', 'training time allowed'),
        ('iterations', 'int', 'iterations reached'),
        ('stopped_at_deadline', 'bool', 'the deadline (not max_iters) ended it'),
        ('train_seconds', 'float', 'wall time of runner.train()'),
        ('checkpoint', 'str', 'the checkpoint saved at the end'),
        ('finite', 'bool', 'every logged loss finite'),
        ('losses', 'dict', 'last logged value of each loss'),
        ('sec_per_iter', 'float | null', 'median logged time per iteration'),
    ),
    'quality_scores': (
        ('checkpoint', 'str', 'the scored checkpoint'),
        ('iterations', 'int', 'its iterations'),
        ('scores', 'dict', "the config's test metrics: FID/KID-AtoB/BtoA, "
         'each with -bootstrap-std'),
        ('identity', 'dict', 'the same metrics of the identity translator'),
        ('margin', 'dict', 'identity - trained, per FID/KID score'),
        ('beats_identity', 'dict', 'trained < identity, per FID/KID score'),
        ('grids', 'list', 'grid images of test translations, beside the JSON'),
    ),
}  # fmt: skip
VARIANT: Table = (
    ('spec', 'str', "tools/benchmark.py --variants spec, e.g. 'bf16+compile'"),
    ('variant', 'str', "the benchmark's name, e.g. 'ours+bf16+compile'"),
    ('label', 'str', 'what it is'),
    ('batch_size', 'int', '1 or 4'),
    ('status', 'str', "'ok', 'failed', 'not_applicable' or 'skipped'"),
    ('sec_per_iter', 'float | null', 'median seconds per iteration'),
    ('images_per_sec', 'float | null', 'images per domain and second'),
    ('peak_mem_mb', 'float | null', 'peak memory, MiB (see memory_measure)'),
    ('speedup_vs_plain', 'float | null', 'vs the plain step of the same run'),
    ('valid', 'bool', 'no step skipped its update (non-finite losses)'),
)
_TYPES = {'str': str, 'int': int, 'float': (int, float), 'bool': bool, 'list': list,
          'dict': dict, 'null': type(None)}  # fmt: skip


def _type_ok(value: Any, spec: str) -> bool:
    allowed = [_TYPES[name.strip()] for name in spec.split('|')]
    if isinstance(value, bool) and bool not in allowed:
        return False  # a bool is an int in Python, not in this file
    return any(isinstance(value, t) for t in allowed)


def _check(record: dict, table: Table, where: str, required: bool) -> List[str]:
    problems = []
    for key, spec, _ in table:
        if key not in record:
            if required:
                problems.append(f'{where}: {key!r} missing')
        elif not _type_ok(record[key], spec):
            problems.append(f'{where}.{key}: {record[key]!r} is not {spec}')
    return problems


def validate_report(report: dict) -> List[str]:
    """Check a report against the tables.

    Args:
        report (dict): The parsed JSON.

    Returns:
        list[str]: The problems found, empty for a valid report.
    """
    problems = _check(report, REPORT, 'report', True)
    if problems:
        return problems
    expected = CHECK_PARTS if report['mode'] == 'check' else QUALITY_PARTS
    if tuple(report['parts']) != expected:
        return [f'report.parts: {list(report["parts"])}, expected {list(expected)}']
    for name, part in report['parts'].items():
        where = f'parts.{name}'
        problems += _check(part, PART, where, False)
        status = part.get('status')
        if status not in PART_STATUSES:
            problems.append(f'{where}.status: {status!r}')
            continue
        needed = {'failed': 'error', 'skipped': 'reason', 'skipped_on_cpu': 'reason'}
        if status in needed and needed[status] not in part:
            problems.append(f'{where}: {status} without {needed[status]!r}')
        done = status == 'ok' or (status == 'skipped_on_cpu' and name == 'cuda_tests')
        problems += _check(part, PARTS[name], where, done)
        for i, entry in enumerate(
            part.get('results', []) if name == 'benchmark' else []
        ):
            problems += _check_variant(entry, f'{where}.results[{i}]')
    failed = [
        name for name, part in report['parts'].items() if part['status'] == 'failed'
    ]
    if report['failed'] != failed or report['status'] != ('failed' if failed else 'ok'):
        problems.append(f'report.status/failed disagree with the parts: {failed}')
    return problems


def _check_variant(entry: dict, where: str) -> List[str]:
    status = entry.get('status')
    if status not in VARIANT_STATUSES:
        return [f'{where}.status: {status!r}']
    problems = _check(entry, VARIANT, where, status == 'ok')
    if status != 'ok' and not ({'error', 'reason'} & set(entry)):
        problems.append(f'{where}: {status} without error or reason')
    return problems


def markdown_tables() -> str:
    """The tables as Markdown, for docs/benchmarks.md."""
    blocks = [('The report', REPORT), ('Every part', PART)]
    blocks += [(f'Part `{name}` (status ok)', table) for name, table in PARTS.items()]
    blocks.append(
        ('`results[]` of the benchmark parts: one per variant and batch size', VARIANT)
    )
    text = []
    for title, table in blocks:
        text += [f'**{title}**', '', '| key | type | meaning |', '|---|---|---|']
        # A '|' would end the table cell.
        text += [
            f'| `{key}` | {spec.replace(" | ", " or ")} | {meaning} |'
            for key, spec, meaning in table
        ]
        text.append('')
    return '\n'.join(text)
