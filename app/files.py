"""The data folder holds the citizens' personal data (the SQLite file, its copies in `backups/`): what
the planner creates there is readable by the service's own user only, whatever the umask."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """`path` made if missing, the folder itself for its owner only (one made before keeps its mode:
    systemd's StateDirectory, an operator's choice)."""
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(path, FOLDER_MODE)  # mkdir's mode is narrowed by the umask, never widened
    return path


def private_file(path: Path) -> Path:
    """An empty file at `path` for its owner only, unless one is there (SQLite takes an empty file as a
    new database, and gives its -wal and -shm files the database file's mode)."""
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    return path
