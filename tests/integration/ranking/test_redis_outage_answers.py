"""The ranking API while its Redis is away (real Redis through a TCP proxy the test cuts):
503 problem+json with Retry-After, unready; back to 200 when Redis is back."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from services.ranking.app import build
from shared.bus import wait_for
from shared.outages import RETRY_AFTER_SECONDS
from tests.conftest import make_config
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


def test_the_ranking_answers_503_with_retry_after_while_redis_is_down(tmp_path, redis_url):
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname, parts.port).open()
    config = make_config(tmp_path / "data", redis_url=f"redis://127.0.0.1:{proxy.port}{parts.path}")
    ranking = build(config)
    client = Client(ranking.app)
    try:
        assert client.get("/api/ranking/influence").status_code == 200
        proxy.cut()
        reply = client.get("/api/ranking/influence")
        assert reply.status_code == 503
        assert reply.headers["Content-Type"] == "application/problem+json"
        assert reply.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert "redis" in reply.json["detail"]
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.json["checks"]["redis"]["ok"] is False
        assert client.get("/health/live").status_code == 200
        proxy.open()
        assert wait_for(lambda: client.get("/api/ranking/influence").status_code == 200, 10)
        assert client.get("/health/ready").status_code == 200
    finally:
        proxy.cut()
        ranking.close()
