"""Tell glibc's allocator to hand large freed blocks back to the system, in render processes.

For every document WeasyPrint embeds a font in, it copies the whole font file into memory
(tens of MiB for a CJK collection) before subsetting it. glibc's default mmap threshold
slides upwards after such a block is freed, so the next copies come from the heap, which
then stays as large as the biggest mix of scripts the process has rendered: a render process
grew past 1 GiB over a campaign in every language (benchmarks/memory.py). A fixed threshold
keeps big blocks in their own mappings, returned on free, and a fixed trim threshold returns
the heap's free top.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
#: Blocks from 1 MiB up get their own mapping (a font copy, a page's content stream).
MMAP_THRESHOLD = 1 << 20
#: Free heap above 8 MiB at its top goes back to the system.
TRIM_THRESHOLD = 8 << 20


def return_freed_memory() -> bool:
    """Fix glibc's thresholds for this process (and the children it forks); False where the
    C library is not glibc (nothing to do)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    if not done:
        log.warning("mallopt refused kitgen's thresholds; memory may grow with each script")
    return done
