"""The embedded data dir holds password hashes, orders and the JWT key: a fresh one is
0700 and every file in it (SQLite databases, their -wal/-shm files, the embedded Redis's
files, the JWT secret) 0600, whatever the umask the platform was started with."""
import os
import stat

from flask import Response
from werkzeug.test import Client

from shared.config import load


def _modes(root):
    for path in [root, *root.rglob("*")]:
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
            yield path, stat.S_ISDIR(mode), stat.S_IMODE(mode)


def test_a_fresh_data_dir_is_private(tmp_path):
    from runtime.embedded import Platform
    data = tmp_path / "data"
    previous = os.umask(0o022)  # what a login shell usually has
    try:
        platform = Platform(load({"GWH_DATA_DIR": str(data), "GWH_DEMO_DATA": "0"}))
        try:
            client = Client(platform.gateway, Response)
            registered = client.post("/api/auth/register", json={
                "username": "dora", "password": "a-long-password", "nickname": "Dora"})
            assert registered.status_code == 201
            platform.settle()  # every service writes: SQLite WAL files, the ranking's Redis
            assert client.get("/api/ranking/influence").status_code == 200
            open_files = {p.name for p in data.iterdir()}
            assert {"shop.db", "shop.db-wal", "order.db", "catalog.db", "jwt-secret"} <= open_files, open_files
            checked = list(_modes(data))
        finally:
            platform.stop()
        checked += list(_modes(data))  # and what the stop wrote (the Redis snapshot)
    finally:
        os.umask(previous)
    assert any(path.name == "shop.db-wal" for path, _, _ in checked)
    wrong = {str(path.relative_to(tmp_path)): oct(mode) for path, is_dir, mode in checked
             if mode != (0o700 if is_dir else 0o600)}
    assert not wrong, wrong


def test_an_older_readable_data_dir_is_tightened_on_start(tmp_path):
    from shared.datadir import private_data_dir
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "shop.db").write_bytes(b"")
    (data / "shop.db").chmod(0o644)
    previous = os.umask(0o022)
    try:
        private_data_dir(data)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "shop.db").stat().st_mode) == 0o600
