"""Where a service's processes share their Prometheus metrics (multiprocess mode).

Kept apart from kitgen.metrics: the folder must be named before prometheus-client is first
imported in the process, and before any render process is started.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ensure_multiprocess_dir() -> str:
    """``PROMETHEUS_MULTIPROC_DIR``, made private to this service when it is not set."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        folder = tempfile.mkdtemp(prefix="kitgen-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    Path(folder).mkdir(parents=True, exist_ok=True)
    return folder
