"""tools/gpu_check.py: the CPU dry run end to end, its report, its refusals."""

import json
import os
import sys
import time

import pytest
import torch
from analysis.gpu_check import validate_report
from analysis.gpu_check.pytest_cuda_only import _NEEDS_CUDA
from analysis.gpu_check.schema import CHECK_PARTS, QUALITY_PARTS, markdown_tables
from analysis.gpu_check.steps import BudgetSpent, StepFailed, StepRunner

from .tool_helpers import REPO, run_tool


def _step_runner(log_dir) -> StepRunner:
    """A runner with a minute left, logging to ``log_dir``."""
    return StepRunner(
        time.monotonic() + 60, log_dir, dict(os.environ), REPO, min_step_s=0.5
    )


@pytest.fixture(scope='module')
def dry_run(tmp_path_factory):
    """``--device cpu --quick``: the report and the tool's output."""
    tmp = tmp_path_factory.mktemp('gpu_check')
    out = tmp / 'report.json'
    start = time.monotonic()
    proc = run_tool('tools/gpu_check.py', '--device', 'cpu', '--quick', '--out', out)
    return json.loads(out.read_text()), proc, time.monotonic() - start


@pytest.mark.slow
def test_dry_run_passes_and_its_report_fits_the_schema(dry_run):
    report, proc, seconds = dry_run
    assert validate_report(report) == []
    assert report['status'] == 'ok' and report['failed'] == []
    assert tuple(report['parts']) == CHECK_PARTS
    assert {name: part['status'] for name, part in report['parts'].items()} == dict(
        env='ok',
        cuda_tests='skipped_on_cpu',
        benchmark='ok',
        train_bf16='ok',
        checkpointing='ok',
        ddp='ok',
        benchmark_compile='ok',
    )
    assert report['work_dir'] is None  # the temporary one is gone
    assert 'ok: report written to' in proc.stdout
    # About 45 s on 2 busy cores; minutes would mean a part got slow (e.g. the
    # children spinning OpenMP threads against each other).
    assert seconds < 240, seconds


@pytest.mark.slow
def test_dry_run_measured_every_part(dry_run):
    parts = dry_run[0]['parts']
    assert parts['env']['torch'] == torch.__version__ and parts['env']['gpus'] == []
    tests = parts['cuda_tests']
    assert tests['collected'] >= 1
    assert tests['counts']['skipped'] == tests['collected']
    # Five eager variants at batch 1 and 4: fp16 does not apply on the CPU.
    results = parts['benchmark']['results']
    assert [(r['spec'], r['batch_size']) for r in results] == [
        (spec, batch)
        for batch in (1, 4)
        for spec in ('plain', 'fp32', 'bf16', 'fp16', 'bf16+channels_last')
    ]
    for entry in results:
        if entry['spec'] == 'fp16':
            assert entry['status'] == 'not_applicable', entry
        else:
            assert entry['status'] == 'ok' and entry['images_per_sec'] > 0, entry
    compiled = parts['benchmark_compile']['results']
    assert [r['status'] for r in compiled] == ['not_applicable'] * 2
    train = parts['train_bf16']
    assert train['iterations'] == train['max_iters'] == 10 and train['finite']
    assert train['checkpoint'] is not None
    memory = parts['checkpointing']
    assert set(memory['peak_mem_mb']) == {'none', 'blocks'}
    assert all(mb > 0 for mb in memory['peak_mem_mb'].values())
    ddp = parts['ddp']
    assert ddp['backend'] == ddp['expected_backend'] == 'gloo'
    assert [r['rank'] for r in ddp['ranks']] == [0, 1] and ddp['weights_identical']
    assert ddp['iterations'] == 4 and ddp['finite']


@pytest.mark.slow
def test_quality_dry_run_trains_to_the_deadline_and_scores(tmp_path):
    out = tmp_path / 'quality.json'
    work = tmp_path / 'work'
    argv = ['--device', 'cpu', '--quick', '--quality', '0.1', '--out', out]
    run_tool('tools/gpu_check.py', *argv, '--work-dir', work)
    report = json.loads(out.read_text())
    assert validate_report(report) == []
    assert tuple(report['parts']) == QUALITY_PARTS and report['status'] == 'ok'
    train, scores = report['parts']['quality_train'], report['parts']['quality_scores']
    assert train['stopped_at_deadline'] and train['iterations'] >= 1
    assert train['amp'] == 'bf16' and train['finite']
    assert os.path.isfile(train['checkpoint'])  # --work-dir is kept
    assert train['checkpoint'].endswith(f'iter_{train["iterations"]}.pth')
    assert set(scores['beats_identity']) == {
        'FID-AtoB',
        'FID-BtoA',
        'KID-AtoB',
        'KID-BtoA',
    }
    assert all(key in scores['identity'] for key in scores['margin'])
    assert scores['grids'] == ['quality_grid_A.png', 'quality_grid_B.png']
    assert all((tmp_path / grid).is_file() for grid in scores['grids'])


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs a machine without CUDA')
def test_cuda_asked_for_without_one_fails_env_and_skips_the_rest(tmp_path):
    out = tmp_path / 'report.json'
    proc = run_tool('tools/gpu_check.py', '--out', out, check=False)
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(out.read_text())
    assert validate_report(report) == []
    assert report['failed'] == ['env']
    assert 'sees no CUDA device' in report['parts']['env']['error']
    assert report['parts']['env']['torch'] == torch.__version__
    for name in CHECK_PARTS[1:]:
        assert report['parts'][name]['status'] == 'skipped', name


@pytest.mark.parametrize(
    'args, message',
    [
        ([], 'already exist: '),  # the report is there already
        (['--quality', '5'], '--quality needs --data-root'),
        (['--quality', '0'], '--quality must be a positive number'),
        (['--budget-minutes', '-1'], '--budget-minutes must be a positive number'),
        (['--quality', '1', '--data-root', 'configs'], "no folder 'trainA'"),
        (['--work-dir', 'configs'], "--work-dir 'configs' is not empty"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, args, message):
    out = tmp_path / 'gpu_check.json'
    out.write_text('{}')
    if args:
        args = ['--overwrite', *args]
    proc = run_tool('tools/gpu_check.py', '--out', out, *args, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith('error: ') and message in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert out.read_text() == '{}'


def test_a_step_out_of_time_is_ended_with_its_children(tmp_path):
    runner = _step_runner(tmp_path)
    pid_file = tmp_path / 'child.pid'
    script = f'sleep 30 & echo $! > {pid_file}; wait'
    step = runner.run('sleeper', ['bash', '-c', script], timeout_s=1)
    assert step.timed_out and 'timed out after 1 s' in step.error()
    with pytest.raises(StepFailed, match='sleeper timed out'):
        step.check()
    child = int(pid_file.read_text())
    # The backgrounded sleep went with the step: killed, it is gone, or a
    # zombie until whoever inherited it reaps it (that takes a moment).
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def test_a_failing_step_says_why_and_no_time_left_skips(tmp_path):
    runner = _step_runner(tmp_path)
    code = "import sys; print('noise', file=sys.stderr); sys.exit('error: bad K')"
    step = runner.run('failing', [sys.executable, '-c', code], timeout_s=30)
    assert step.error() == 'failing exited with code 1: error: bad K'
    assert (tmp_path / 'failing.err').read_text().startswith('noise')
    runner.reserved_s = 60  # everything left belongs to later parts
    with pytest.raises(BudgetSpent, match='not started'):
        runner.run('late', ['true'], timeout_s=30)


def test_a_crashed_childs_reason_stays_in_the_tail(tmp_path):
    runner = _step_runner(tmp_path)
    # As torchrun logs a rank that gloo aborted: the reason, then a long summary.
    code = (
        'import sys\n'
        "print('[rank1] step 1', file=sys.stderr)\n"
        'print("terminate called after throwing an instance of \'gloo::IoException\'",'
        ' file=sys.stderr)\n'
        "print('  what():  Connection reset by peer', file=sys.stderr)\n"
        "for i in range(30): print(f'summary line {i}', file=sys.stderr)\n"
        'sys.exit(1)\n'
    )
    step = runner.run('ddp', [sys.executable, '-c', code], timeout_s=30)
    tail = step.tail()
    assert tail[:3] == [
        "terminate called after throwing an instance of 'gloo::IoException'",
        '  what():  Connection reset by peer',
        '...',
    ]
    assert tail[3:] == [f'summary line {i}' for i in range(10, 30)]
    with pytest.raises(StepFailed) as failed:
        step.check()
    assert failed.value.tail == tail
    quiet = runner.run('quiet', [sys.executable, '-c', 'print(1)'], timeout_s=30)
    assert quiet.tail() == ['1']


def test_validate_report_names_what_is_wrong():
    report = {'schema_version': 1}
    assert "report: 'tool' missing" in validate_report(report)
    good = dict(
        schema_version=1, tool='tools/gpu_check.py', argv=[], mode='quality',
        device='cpu', quick=True, started='', finished='', seconds=1.0,
        budget_s=60.0, status='failed', failed=['quality_train'], work_dir=None,
        parts=dict(
            env=dict(status='skipped', reason='x', seconds=0.0),
            quality_train=dict(status='failed', error='boom', seconds=1),
            quality_scores=dict(status='ok', seconds=1.0),
        ),
    )  # fmt: skip
    problems = validate_report(good)
    assert "parts.quality_scores: 'scores' missing" in problems
    good['parts']['quality_scores'] = dict(status='done', seconds=1.0)
    assert validate_report(good) == ["parts.quality_scores.status: 'done'"]
    good['parts']['quality_scores'] = dict(status='skipped', reason='', seconds=True)
    assert validate_report(good) == ['parts.quality_scores.seconds: True is not float']
    good['parts']['quality_scores']['seconds'] = 2
    good['failed'] = []
    assert 'disagree' in validate_report(good)[0]


def test_cuda_only_tests_are_those_whose_skip_says_they_need_cuda():
    assert _NEEDS_CUDA.search('fp16 needs CUDA')
    assert _NEEDS_CUDA.search('requires a GPU')
    assert not _NEEDS_CUDA.search('needs a machine without CUDA')
    assert not _NEEDS_CUDA.search('MMagic 1.2.0 absent')


def test_the_schema_tables_render_as_markdown():
    text = markdown_tables()
    assert '| `peak_mem_mb` | float or null |' in text
    for name in set(CHECK_PARTS) | set(QUALITY_PARTS):
        assert f'Part `{name}`' in text


def test_a_launchers_summary_gives_way_to_the_ranks_exception(tmp_path):
    runner = _step_runner(tmp_path)
    code = (
        'import sys\n'
        "print('[rank1]: Traceback (most recent call last):', file=sys.stderr)\n"
        "print('[rank1]: RuntimeError: Connection closed by peer', file=sys.stderr)\n"
        "print('torch.distributed.elastic.multiprocessing.errors.ChildFailedError:',"
        ' file=sys.stderr)\n'
        "print('  exitcode  : 1', file=sys.stderr)\n"
        'sys.exit(1)\n'
    )
    step = runner.run('ddp', [sys.executable, '-c', code], timeout_s=30)
    assert step.last_line() == '[rank1]: RuntimeError: Connection closed by peer'


def test_the_rendezvous_port_is_free_and_outside_the_ephemeral_range():
    import socket

    from analysis.gpu_check.part_training import free_port

    port = free_port()
    assert 29500 <= port < 30000
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', port))
        taken.listen()
        assert free_port() != port
        with pytest.raises(RuntimeError, match=f'ports {port}-{port} are all taken'):
            free_port(first=port, count=1)


def test_a_failed_parts_log_tail_is_printed_with_its_summary(tmp_path, monkeypatch):
    from analysis.gpu_check import check

    def failing(ctx, results):
        message = 'ddp exited with code 1: RuntimeError: gone'
        raise StepFailed(message, ['why', '...', 'end'])

    names = ('env', 'ddp')
    monkeypatch.setattr(check, 'CHECK_PARTS', names)
    monkeypatch.setitem(check.RESERVE_S, 'env', 0.0)
    monkeypatch.setitem(check.PARTS, 'env', lambda ctx, results: dict(status='ok'))
    monkeypatch.setitem(check.PARTS, 'ddp', failing)
    lines = []
    out = tmp_path / 'report.json'
    options = check.GpuCheckOptions(out=out, device='cpu', quick=True)
    report = check.run_gpu_check(options, log=lines.append)
    assert report['failed'] == ['ddp']
    # The report may be in a temporary folder (CI): the tail is in the log too.
    assert lines[1:] == [
        'gpu_check: ddp: failed (0 s): ddp exited with code 1: RuntimeError: gone',
        '    | why',
        '    | ...',
        '    | end',
    ]
