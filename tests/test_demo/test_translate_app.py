"""demo/translate_app.py served, and used in a real headless browser.

The browser tests drive the system's Chromium with Playwright (its own browser
download is not reachable offline) and skip, saying they need a browser, where
Chromium, gradio or playwright is missing. Every request the page makes to
anywhere but the app fails the test: the demo must work offline.
"""

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from cyclegan_plugin.apis import init_model, translate_array
from cyclegan_plugin.deploy import export_generator

from ..test_tools.tool_helpers import REPO, run_tool, write_tiny_config

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the demo extra is not installed
    sync_playwright = None

APP = REPO / 'demo' / 'translate_app.py'
CHROMIUM = next(
    (
        shutil.which(name)
        for name in ('chromium', 'chromium-browser', 'google-chrome')
        if shutil.which(name)
    ),
    None,
)
# Non-square, and not a multiple of the generator's size divisor (4) in height.
HEIGHT, WIDTH = 38, 48


def _missing_for_browser() -> List[str]:
    missing = []
    if CHROMIUM is None:
        missing.append('Chromium (apt-get install chromium)')
    if importlib.util.find_spec('gradio') is None:
        missing.append('gradio (pip install -e ".[demo]")')
    if sync_playwright is None:
        missing.append('playwright (pip install -e ".[demo]")')
    return missing


needs_browser = pytest.mark.skipif(
    bool(_missing_for_browser()),
    reason='needs a browser (Chromium) driven by Playwright to test the demo; '
    f'missing: {", ".join(_missing_for_browser())}',
)


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """A tiny config, its model's checkpoint, and a 48x38 RGB image file."""
    root = tmp_path_factory.mktemp('demo')
    config = write_tiny_config(root / 'tiny.py')
    torch.manual_seed(0)
    model = init_model(Config.fromfile(config))
    model.init_weights()
    checkpoint = root / 'model.pth'
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    image = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), np.uint8)
    image_file = root / 'input.png'
    cv2.imwrite(str(image_file), image[..., ::-1])
    return dict(
        root=root,
        config=config,
        checkpoint=checkpoint,
        model=model,
        image=image,
        image_file=image_file,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextmanager
def serve(log: Path, *args) -> Iterator[str]:
    """Run the demo on a free local port until the block ends; yield its URL.

    Its output goes to ``log`` (a pipe nobody reads could fill and stall it).
    """
    port = _free_port()
    # The repo first, and whatever PYTHONPATH adds (e.g. another gradio).
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')]))
    env = dict(
        os.environ,
        PYTHONPATH=path,
        OMP_NUM_THREADS='1',
        NO_PROXY='127.0.0.1,localhost',
    )
    out = open(log, 'w')
    proc = subprocess.Popen(
        [sys.executable, str(APP), *map(str, args), '--port', str(port)],
        cwd=REPO,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f'http://127.0.0.1:{port}/'
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise AssertionError(f'the demo ended early:\n{log.read_text()}')
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        # Ctrl-C, as a user stops it: the demo removes its download folder.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


@contextmanager
def open_page(url: str, outside: List[str]) -> Iterator:
    """A headless Chromium page at ``url``; requests elsewhere go to ``outside``."""
    with sync_playwright() as playwright:
        # --no-sandbox: CI containers run as root, where Chromium's sandbox
        # refuses to start.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=['--no-sandbox']
        )
        try:
            page = browser.new_page(viewport={'width': 1280, 'height': 720})
            host = url.rstrip('/')

            def only_local(route):
                if route.request.url.startswith(host):
                    route.continue_()
                else:  # offline: nothing may be fetched from the internet
                    outside.append(route.request.url)
                    route.abort()

            page.route('**/*', only_local)
            page.goto(url)
            page.wait_for_selector('#translate')
            yield page
        finally:
            browser.close()


def translate_in_page(
    page, image_file: Path, direction_label: str, save_to: Path
) -> Path:
    """Upload, choose the direction, translate; download the PNG to ``save_to``."""
    page.locator('#input input[type=file]').set_input_files(str(image_file))
    page.wait_for_selector('#input img')
    page.locator('#direction').get_by_label(direction_label).check()
    page.locator('#translate').click()
    page.wait_for_function(
        "() => { const img = document.querySelector('#output img');"
        ' return img !== null && img.complete && img.naturalWidth > 0; }'
    )
    with page.expect_download() as download:
        page.locator('#download').click()
    assert download.value.suggested_filename.endswith('.png')
    # Playwright deletes its downloads with the browser.
    download.value.save_as(save_to)
    return save_to


def direction_labels(page) -> List[str]:
    return page.locator('#direction label').all_inner_texts()


@needs_browser
def test_checkpoint_translates_in_the_browser(tiny):
    outside: List[str] = []
    log = tiny['root'] / 'checkpoint_app.log'
    with serve(log, tiny['config'], tiny['checkpoint']) as url, open_page(
        url, outside
    ) as page:
        assert [t.strip() for t in direction_labels(page)] == ['A → B', 'B → A']
        page.locator('#translate').click()  # nothing uploaded yet
        page.get_by_text('Upload or drop an image first.').wait_for()
        downloaded = translate_in_page(
            page, tiny['image_file'], 'B → A', tiny['root'] / 'BtoA.png'
        )
        shown = page.locator('#output img').evaluate(
            'img => [img.naturalWidth, img.naturalHeight]'
        )
        page.screenshot(path=str(tiny['root'] / 'demo_app.png'))
    assert shown == [WIDTH, HEIGHT]
    out = cv2.imread(str(downloaded))[..., ::-1].astype(int)
    assert out.shape == (HEIGHT, WIDTH, 3)
    # The code path of tools/translate.py: padded, translated, cropped back.
    expected = translate_array(tiny['model'], tiny['image'], 'BtoA').astype(int)
    assert np.abs(out - expected).max() <= 1
    assert outside == []


@needs_browser
def test_exported_file_offers_its_direction_only(tiny):
    exported = tiny['root'] / 'g_AtoB.pt2'
    export_generator(
        tiny['model'].generators.A, str(exported), 'AtoB', fmt='exported-program'
    )
    outside: List[str] = []
    log = tiny['root'] / 'exported_app.log'
    with serve(log, tiny['config'], exported) as url, open_page(url, outside) as page:
        assert [t.strip() for t in direction_labels(page)] == ['A → B']
        downloaded = translate_in_page(
            page, tiny['image_file'], 'A → B', tiny['root'] / 'exported_AtoB.png'
        )
    out = cv2.imread(str(downloaded))[..., ::-1].astype(int)
    expected = translate_array(tiny['model'], tiny['image'], 'AtoB').astype(int)
    assert out.shape == (HEIGHT, WIDTH, 3)
    assert np.abs(out - expected).max() <= 1
    assert outside == []


def test_mistakes_are_one_line_errors(tiny, tmp_path):
    bad_config = tmp_path / 'bad.py'
    bad_config.write_text("model = dict(type='ResnetGenerator'\n")
    missing = tmp_path / 'missing.pth'
    cases = [
        ((tiny['config'], missing), 'missing.pth'),
        ((bad_config, tiny['checkpoint']), 'not valid Python'),
        ((tiny['config'], tiny['checkpoint'], '--backend', 'onnxruntime'), 'ONNX'),
        ((tiny['config'], tmp_path / 'g.pt2'), 'g.pt2'),
        ((tiny['config'], tiny['checkpoint'], '--port', '70000'), '65535'),
    ]
    for args, says in cases:
        proc = run_tool(APP, *args, check=False)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        # argparse's line starts with the script's name.
        assert 'error: ' in lines[-1] and says in lines[-1], proc.stderr
        assert 'Traceback' not in proc.stderr


def test_without_gradio_says_how_to_install_it(tiny):
    # As if the demo extra were not installed: importing gradio fails.
    code = (
        'import runpy, sys; sys.modules["gradio"] = None; '
        f'sys.argv = [{str(APP)!r}, {str(tiny["config"])!r}, '
        f'{str(tiny["checkpoint"])!r}]; '
        f'runpy.run_path({str(APP)!r}, run_name="__main__")'
    )
    proc = run_tool('-c', code, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        'error: the demo needs gradio: pip install -e ".[demo]"'
    )
