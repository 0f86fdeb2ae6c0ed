"""Keep freed CPU memory in the process instead of handing it back each time.

glibc serves large allocations (above a threshold that it raises up to 32 MiB)
with fresh ``mmap`` pages and returns them on ``free``; what it frees at the
top of its heap beyond ``M_TRIM_THRESHOLD`` goes back to the kernel too. A
training step that allocates and frees hundreds of multi-MiB tensors (the
Winograd convolutions' transformed tiles, for one) then page-faults on every
one of them (``docs/benchmarks.md`` has the counts and timings). Keeping freed
memory for reuse is what PyTorch's CUDA caching allocator does on GPUs; the
price is that the process holds on to its peak heap.
"""

import ctypes
import ctypes.util
from typing import Optional

__all__ = ['keep_freed_cpu_memory']

# mallopt parameters, from glibc's malloc.h.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's upper limit for M_MMAP_THRESHOLD on 64-bit systems.
_MAX_MMAP_THRESHOLD = 32 * 1024 * 1024
# Free memory kept at the top of the heap; mallopt takes an int.
_TRIM_THRESHOLD = 2**31 - 1


def _libc() -> Optional[ctypes.CDLL]:
    name = ctypes.util.find_library('c')
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, 'mallopt') else None


def keep_freed_cpu_memory() -> bool:
    """Serve allocations up to 32 MiB from the heap and keep freed memory.

    Process-wide: affects every later allocation through glibc's ``malloc``
    (PyTorch's CPU tensors among them). Up to 2 GiB of free memory at the
    top of the heap is kept before glibc returns it to the kernel.

    Returns:
        bool: True if applied; False where the C library has no ``mallopt``
        (not glibc, e.g. macOS or musl), which changes nothing.
    """
    libc = _libc()
    if libc is None:
        return False
    return bool(
        libc.mallopt(_M_MMAP_THRESHOLD, _MAX_MMAP_THRESHOLD)
        and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    )
