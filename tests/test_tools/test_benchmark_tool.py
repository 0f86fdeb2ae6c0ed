"""tools/benchmark.py prints one JSON line per variant and mode."""

import json

from .tool_helpers import run_tool, write_tiny_config


def test_json_lines_for_both_modes(tmp_path):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    proc = run_tool(
        'tools/benchmark.py', cfg, '--size', '32', '--iters', '1', '--repeats', '1',
        '--warmup', '0', '--baseline', '--amp', 'bf16', '--mode', 'both',
        '--no-memory', '--markdown',
    )  # fmt: skip
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith('{')]
    assert [(r['mode'], r['variant']) for r in lines] == [
        ('train', 'plain+fp32'),
        ('train', 'ours+bf16'),
        ('infer', 'plain+fp32'),
        ('infer', 'ours+bf16'),
    ]
    assert all(r['gflop_per_iter'] > 0 and r['speedup_vs_plain'] for r in lines)
    assert '| ours+bf16 |' in proc.stdout


def test_bad_variant_is_one_clear_line(tmp_path):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    proc = run_tool('tools/benchmark.py', cfg, '--variants', 'bf16+turbo', check=False)
    assert proc.returncode == 2
    assert "error: Unknown token 'turbo'" in proc.stderr


def test_fast_path_flags_profile_and_kept_memory(tmp_path):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    proc = run_tool(
        'tools/benchmark.py', cfg, '--size', '32', '--iters', '1', '--repeats', '1',
        '--warmup', '1', '--baseline', '--winograd',
        '--keep-freed-memory', '--profile', '5', '--no-memory', '--markdown',
    )  # fmt: skip
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith('{')]
    assert [r['variant'] for r in lines] == [
        'plain+fp32',
        'ours+fp32+winograd',
    ]
    fast = lines[1]
    assert fast['winograd'] and fast['keep_freed_memory']
    # The same direct-method work is counted for both, so GFLOP/s compare.
    assert fast['gflop_per_iter'] == lines[0]['gflop_per_iter']
    ops = [p['op'] for p in fast['profile']]
    assert len(ops) == 5 and 'aten::bmm' in ops  # the Winograd products
    assert 0 < sum(p['share'] for p in fast['profile']) <= 1
    assert 'top operators of one iteration' in proc.stdout
