"""tools/train.py refuses, in one line, runs that would train nothing."""

from .tool_helpers import run_tool, write_tiny_config


def test_resume_in_an_empty_work_dir_is_an_error(tmp_path):
    cfg = write_tiny_config(tmp_path / 'tiny.py')
    work = tmp_path / 'work'
    proc = run_tool('tools/train.py', cfg, '--work-dir', work, '--resume', check=False)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: --resume: the work dir {work} has no checkpoint to resume from (no '
        'last_checkpoint file there). Drop --resume to start fresh, or give a '
        'checkpoint: --resume PATH.'
    )
    assert not list(work.glob('*.pth'))
