"""Metrics shared by several server processes (`homecare serve --workers N`): prometheus-client's
multiprocess mode, in which each process writes its counts to files in one folder and a scrape adds
them up."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# prometheus-client's own switch, read by the library itself in every process it runs in (it must be in
# the environment before the server's processes start), so it is not one of our settings.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def shared_metrics() -> bool:
    """Whether this process writes its metrics to the shared folder."""
    return bool(os.environ.get(MULTIPROC_ENV))


def prepare_metrics(workers: int) -> None:
    """Several server processes share their metrics through files (prometheus-client's multiprocess
    mode); the folder must be set before they start and emptied of a previous run's files."""
    folder = os.environ.get(MULTIPROC_ENV)
    if workers <= 1 and not folder:
        return
    path = Path(folder or tempfile.mkdtemp(prefix="homecare-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(path)
