"""A browser demo: translate an image with a trained CycleGAN (Gradio).

``python demo/translate_app.py CONFIG CHECKPOINT`` serves http://127.0.0.1:7860:
upload or drop an image, choose the direction, see the translation beside it and
download it as a PNG. CHECKPOINT may be a file from tools/export.py (``.onnx``,
``.pt2``; ``--backend`` as in tools/translate.py, by default chosen by the
extension), which offers only the direction it was exported with. Images keep
their size: padded to what the generator needs and cropped back, the code path
of tools/translate.py.

Needs the demo extra (``pip install -e ".[demo]"``). Nothing leaves the machine:
no share link, no usage reports, no fonts or scripts fetched from the internet.
"""

import argparse
import os
import os.path as osp
import sys
import tempfile
from typing import TYPE_CHECKING, List, Optional, Sequence

import numpy as np
import torch

from cyclegan_plugin.apis import translate_array
from cyclegan_plugin.apis.cli import EXIT_CODE, one_line, run_cli
from cyclegan_plugin.apis.translator import load_translator, translator_directions
from cyclegan_plugin.deploy import BACKENDS, ExportedModel
from cyclegan_plugin.fileio import write_image_atomic

if TYPE_CHECKING:  # imported by main once it is needed (an optional extra)
    import gradio as gr

# Gradio reads this when it is imported: no usage reports, no version check.
os.environ['GRADIO_ANALYTICS_ENABLED'] = 'False'

LABELS = {'AtoB': 'A → B', 'BtoA': 'B → A'}
# Input and translation are shown at one height, small images scaled up to
# it (CycleGANs are often trained on small images), aspect ratio kept.
IMAGE_HEIGHT = 360
CSS = '#input img, #output img { width: 100%; height: 100%; object-fit: contain; }'


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(
            f'port must be a whole number from 1 to 65535, but got {text!r}'
        )
    return int(text)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Translate images in a browser')
    parser.add_argument('config', help='config file the model was trained with')
    parser.add_argument(
        'checkpoint',
        help='checkpoint (a generator-only file is enough), or an .onnx / .pt2 '
        'file from tools/export.py',
    )
    parser.add_argument(
        '--backend',
        choices=('pytorch',) + BACKENDS,
        default=None,
        help='how to read CHECKPOINT (default: by its extension, .onnx: '
        'onnxruntime, .pt2: exported-program, else pytorch)',
    )
    parser.add_argument(
        '--device', default=None, help='cpu or cuda (default: cuda when available)'
    )
    parser.add_argument(
        '--host',
        default='127.0.0.1',
        help='address to serve on (default: this machine only; 0.0.0.0 for the '
        'local network)',
    )
    parser.add_argument('--port', type=_port, default=7860, help='default: 7860')
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='allow checkpoints that need unpickling code '
        '(only for files from a source you trust)',
    )
    return parser.parse_args(argv)


def build_app(
    model: torch.nn.Module, directions: Sequence[str], title: str, out_dir: str
) -> 'gr.Blocks':
    """The page: input and translation side by side, direction, download.

    Args:
        model (nn.Module): From :func:`load_translator`.
        directions (Sequence[str]): The directions to offer.
        title (str): Shown above the images.
        out_dir (str): Folder for the PNGs offered for download.

    Returns:
        gr.Blocks: The app, not launched.
    """
    import gradio as gr

    def translate(image: Optional[np.ndarray], direction: str):
        if image is None:
            raise gr.Error('Upload or drop an image first.')
        try:
            out = translate_array(model, image, direction)
        except (RuntimeError, ValueError) as err:  # e.g. too small, no memory
            raise gr.Error(one_line(str(err))) from err
        # A folder per request: the download keeps a plain name, and two
        # visitors never get each other's file.
        path = osp.join(tempfile.mkdtemp(dir=out_dir), f'translation_{direction}.png')
        write_image_atomic(path, out)
        return out, gr.DownloadButton(value=path, interactive=True)

    def clear():
        # A translation beside another input or direction would mislead.
        return None, gr.DownloadButton(value=None, interactive=False)

    only = '' if len(directions) > 1 else f' (this file translates {directions[0]})'
    # delete_cache: uploads and results leave Gradio's cache after an hour.
    with gr.Blocks(
        analytics_enabled=False,
        title='CycleGAN translation',
        delete_cache=(600, 3600),
    ) as app:
        gr.Markdown(f'## CycleGAN translation\n{title}')
        with gr.Row():
            with gr.Column():
                source = gr.Image(
                    type='numpy',
                    image_mode='RGB',
                    sources=['upload', 'clipboard'],
                    label='Input (upload or drop an image)',
                    height=IMAGE_HEIGHT,
                    elem_id='input',
                )
                direction = gr.Radio(
                    [(LABELS[d], d) for d in directions],
                    value=directions[0],
                    label=f'Direction{only}',
                    elem_id='direction',
                )
                button = gr.Button('Translate', variant='primary', elem_id='translate')
            with gr.Column():
                # No share button: it would upload the image to Hugging Face.
                result = gr.Image(
                    type='numpy',
                    format='png',
                    interactive=False,
                    label='Translation',
                    height=IMAGE_HEIGHT,
                    buttons=['fullscreen'],
                    elem_id='output',
                )
                download = gr.DownloadButton(
                    'Download PNG', interactive=False, elem_id='download'
                )
        button.click(
            translate, [source, direction], [result, download], api_name='translate'
        )
        for changed in (source, direction):
            changed.change(
                clear,
                None,
                [result, download],
                queue=False,
                show_progress='hidden',
                api_visibility='private',
            )
    return app


def main(argv: Optional[List[str]] = None) -> Optional[int]:
    args = parse_args(argv)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    # The user's files first: their mistakes are reported wherever Gradio is.
    model = load_translator(
        args.config, args.checkpoint, args.backend, device, args.trust_checkpoint
    )
    try:
        import gradio  # noqa: F401
    except ImportError:
        print('error: the demo needs gradio: pip install -e ".[demo]"', file=sys.stderr)
        return EXIT_CODE
    directions = translator_directions(model)
    title = f'`{osp.basename(args.checkpoint)}`'
    if not isinstance(model, ExportedModel):  # an exported file reads no config
        title += f', config `{osp.basename(args.config)}`'
    with tempfile.TemporaryDirectory(prefix='cyclegan_demo_') as out_dir:
        app = build_app(model, directions, title, out_dir)
        # share=False whatever GRADIO_SHARE says: no tunnel to Gradio's servers.
        # ssr_mode=False: the page is rendered in the browser, no Node server.
        # quiet: Gradio's banner suggests share=True, which this demo never sets.
        app.launch(
            server_name=args.host,
            server_port=args.port,
            share=False,
            inbrowser=False,
            ssr_mode=False,
            show_error=True,
            css=CSS,
            quiet=True,
            prevent_thread_lock=True,
        )
        print(f'Serving on http://{args.host}:{args.port} (Ctrl-C stops)', flush=True)
        app.block_thread()
    return None


if __name__ == '__main__':
    sys.exit(run_cli(main))
