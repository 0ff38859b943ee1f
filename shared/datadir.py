"""The embedded mode's data dir holds password hashes, every order and the JWT key: only
the user running the platform may read it.

The directory is 0700 and every file in it 0600. Files are made private as they are
created, not chmod-ed afterwards: a SQLite database file is created 0600 before SQLite
opens it (shared.db), and SQLite gives its -wal and -shm files the mode of the database;
the embedded Redis writes its snapshot from a forked child, so the platform runs with
umask 077 while it lives (runtime.embedded). A data dir left readable by an older version
is tightened on start.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE, FILE_MODE = 0o700, 0o600


def private_data_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    path.chmod(DIR_MODE)
    for child in path.iterdir():
        mode = child.lstat().st_mode
        if stat.S_ISREG(mode) and stat.S_IMODE(mode) & 0o077:
            child.chmod(FILE_MODE)
    return path


def create_private_file(path: Path) -> None:
    """Create `path` empty and 0600 unless it exists (before a library opens it)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except FileExistsError:
        pass


def private_umask() -> int:
    """Make every file this process creates from now on private; returns the umask before."""
    return os.umask(0o077)
