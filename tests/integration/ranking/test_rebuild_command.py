"""`python -m services.ranking.app rebuild` as an operator runs it: a separate process that
reads the shop's and the order's history over HTTP (here the embedded gateway, served on a
port) into the real Redis, under the watch's lock, and writes the epoch; `--catch-up`
then replays only what follows the checkpoint (nothing)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from flask import Response
from werkzeug.serving import make_server
from werkzeug.test import Client

from shared.bus import Bus
from tests.conftest import JWT_SECRET, make_config
from tests.conftest import trust_harness_tokens
from tests.support.ranking_market import Market
from tests.support.ranking_trades import trade

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def test_the_rebuild_command_rebuilds_and_catches_up(tmp_path, redis_url, amqp_url, admin):
    from runtime.embedded import Platform
    platform = trust_harness_tokens(Platform(make_config(tmp_path / "data", redis_url=redis_url)))
    client = Client(platform.gateway, Response)
    server = make_server("127.0.0.1", 0, platform.gateway, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    exchange = f"gwh.test.{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWH_")}
    env.update(GWH_BUS_URL=amqp_url, GWH_EXCHANGE=exchange, GWH_REDIS_URL=redis_url, GWH_JWT_SECRET=JWT_SECRET,
               GWH_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}", GWH_DATA_DIR=str(tmp_path / "cli"))
    try:
        seller, _, _ = trade(Market(platform, client, admin))
        board = client.get("/api/ranking/influence").json
        watch = platform["ranking"].context.watch
        watch.redis.flushdb()

        def run(*args) -> str:
            done = subprocess.run([sys.executable, "-m", "services.ranking.app", "rebuild", *args], cwd=ROOT,
                                  env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-2000:]
            return done.stdout

        assert "full: 5 events replayed" in run()
        assert client.get("/api/ranking/influence").json == board
        assert watch.epoch() is not None and set(watch.checkpoint()) == {"shop", "order"}
        assert "catch-up: 0 events replayed" in run("--catch-up")
    finally:
        server.shutdown()
        platform.stop(drain=False)
        Bus(amqp_url, exchange=exchange).delete(["catalog", "shop", "order", "ranking"])
