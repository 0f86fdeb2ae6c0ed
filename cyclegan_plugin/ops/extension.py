"""Building and loading the plugin's C++ CPU kernels (``csrc/``).

One extension holds every kernel: the Winograd F(4x4, 3x3) transforms
(``torch.ops.cyclegan_winograd``), the direct convolutions for layers with an
RGB side (``torch.ops.cyclegan_conv``) and the fused instance norm + ReLU
(``torch.ops.cyclegan_norm``). PyTorch's extension loader builds it on first
use and caches the build.
"""

import hashlib
import os
import threading

import torch

__all__ = ['load_cpu_ops']

_CSRC = os.path.join(os.path.dirname(__file__), 'csrc')
_SOURCES = [
    os.path.join(_CSRC, name)
    for name in (
        'winograd_f43_tiles.cpp',
        'winograd_f43_weights.cpp',
        'thin_conv.cpp',
        'instance_norm.cpp',
    )
]
_HEADERS = [os.path.join(_CSRC, name) for name in ('winograd_f43.h', 'vec8.h')]
_lock = threading.Lock()
_loaded = False


def _compiler_flags() -> list:
    # at::parallel_for is OpenMP code inlined from ATen's headers; the
    # extension then shares the libgomp.so.1 that torch has already loaded.
    flags = ['-O3', '-fopenmp']
    # PyTorch rebuilds when the sources or flags change, not the headers:
    # their hash among the flags makes a header change rebuild too.
    digest = hashlib.sha256()
    for header in _HEADERS:
        with open(header, 'rb') as f:
            digest.update(f.read())
    flags.append(f'-DCYCLEGAN_OPS_HEADERS={digest.hexdigest()[:16]}')
    # Built on the machine that runs it, so use the vector units torch itself
    # uses here; the extension's name carries the choice, so a build directory
    # shared between machines never hands AVX2 code to a CPU without it.
    if torch.backends.cpu.get_cpu_capability() in ('AVX2', 'AVX512'):
        flags += ['-mavx2', '-mfma']
    return flags


def load_cpu_ops() -> None:
    """Build (once per machine, cached by PyTorch) and load the C++ kernels.

    The build takes about half a minute and needs a C++ compiler and
    ``ninja`` (installed with the plugin); it is cached in PyTorch's
    extension directory (``TORCH_EXTENSIONS_DIR``, by default
    ``~/.cache/torch_extensions``), and concurrent processes (DDP ranks) wait
    for one build. Afterwards the operators are ``torch.ops.cyclegan_winograd``,
    ``torch.ops.cyclegan_conv`` and ``torch.ops.cyclegan_norm``.

    Raises:
        RuntimeError: If the kernels cannot be built, with what to do.
    """
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        from torch.utils.cpp_extension import load

        flags = _compiler_flags()
        name = 'cyclegan_cpu_ops_' + ('avx2' if '-mavx2' in flags else 'base')
        try:
            load(
                name=name,
                sources=_SOURCES,
                extra_cflags=flags,
                extra_ldflags=['-fopenmp'],
                is_python_module=False,
                verbose=False,
            )
        except (RuntimeError, OSError, ImportError) as e:
            raise RuntimeError(
                f'Could not build the plugin C++ kernels ({_CSRC}): {e}\nThey '
                'need a C++ compiler (e.g. `apt install g++`) and ninja (`pip '
                "install ninja`). Or run with PyTorch's own layers: without "
                '--winograd, with model.cpu_kernels=False.'
            ) from e
        _loaded = True
