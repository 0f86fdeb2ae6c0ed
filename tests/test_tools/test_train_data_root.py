"""``--data-root``: one config trains and tests on another data set folder."""

from .tool_helpers import run_tool, tiny_data_root, write_tiny_config


def test_train_then_test_on_the_folder_given(tmp_path):
    # The config's own data_root does not exist: only --data-root can work.
    cfg = write_tiny_config(
        tmp_path / 'tiny.py', max_iters=2, ckpt_interval=2, data=tmp_path / 'absent'
    )
    work = tmp_path / 'work'
    root = str(tiny_data_root())
    run_tool('tools/train.py', cfg, '--work-dir', work, '--data-root', root)
    dumped = (work / 'tiny.py').read_text()
    assert dumped.count(repr(root)) >= 2 and 'absent' not in dumped
    assert (work / 'iter_2.pth').is_file()

    missing = run_tool(
        'tools/train.py', cfg, '--data-root', tmp_path / 'nowhere', check=False
    )
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"error: --data-root '{tmp_path / 'nowhere'}' is not a folder; give the "
        'data set folder (e.g. data/horse2zebra with trainA, trainB, testA, testB)'
    ]
