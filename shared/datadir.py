"""The embedded mode's data dir holds password hashes, every order and the JWT key: only
the user running the platform may read it.

The directory is 0700 and every file in it 0600. Files are made private as they are
created, not chmod-ed afterwards: SQLite creates its -wal and -shm files when it needs
them, and the embedded Redis writes its snapshot from a forked child, so the process
umask is what reaches them all. The embedded mode is one process that owns its data, so
it sets umask 077 for its whole life. A data dir left readable by an older version is
tightened on start.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE, FILE_MODE = 0o700, 0o600


def private_data_dir(path: Path) -> Path:
    os.umask(0o077)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    path.chmod(DIR_MODE)
    for child in path.iterdir():
        mode = child.lstat().st_mode
        if stat.S_ISREG(mode) and stat.S_IMODE(mode) & 0o077:
            child.chmod(FILE_MODE)
    return path
