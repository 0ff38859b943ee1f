"""glibc's allocator, tuned for a long-running threaded Python process.

Two glibc defaults made the embedded platform's memory grow with the requests it served
(`make bench`: 110 MB at start, 195 MB after 10,000 requests; docs/speed.md):
- an arena per thread that allocates (up to 8 per core): the werkzeug server's request
  threads, the consumers and the relays each fragment their own, and freed memory stays
  resident in them. Two arenas are plenty for 2 cores' worth of Python (the GIL);
- a dynamic mmap threshold: once a big block (argon2's 19 MiB per password hash) is freed,
  glibc raises the threshold to its size, so the next ones come from the heap and stay
  resident after they are freed. A fixed 1 MiB threshold maps every big block apart and
  gives it back on free.
With both, the same run stays at about 95 MB. Equivalent to MALLOC_ARENA_MAX=2
MALLOC_MMAP_THRESHOLD_=1048576 in the environment, set from inside so `make run`, the
gunicorn processes and the workers all get it. Call it first, before threads start.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 2
MMAP_THRESHOLD = 1 << 20


def tune() -> bool:
    """Apply the settings; False where the C library is not glibc (nothing changed)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, ARENAS)) and bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
