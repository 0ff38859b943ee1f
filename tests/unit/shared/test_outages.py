"""A store outage answers 503 problem+json with Retry-After, never 500 (shared/outages.py).

The failures are real: the catalog's engine is pointed at a PostgreSQL port nothing listens
on, the ranking's Redis client at a closed port, so the drivers raise what they raise in an
outage.
"""
import socket

import redis
from sqlalchemy import create_engine

from shared.outages import RETRY_AFTER_SECONDS


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def assert_unavailable(reply, store: str):
    assert reply.status_code == 503, reply.get_data(as_text=True)
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = reply.json
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    assert store in body["detail"]
    assert body["retry_after"] == RETRY_AFTER_SECONDS


def test_a_database_outage_is_a_503_with_retry_after(platform, client):
    db = platform["catalog"].db
    db.engine.dispose()
    db.engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/gone",
                              connect_args={"connect_timeout": 2})
    assert_unavailable(client.get("/api/catalog/products"), "database")
    # Readiness agrees: this API cannot answer, take it out of service.
    ready = client.get("/health/catalog/ready")
    assert ready.status_code == 503 and ready.json["checks"]["database"]["ok"] is False


def test_a_redis_outage_in_the_ranking_is_a_503_with_retry_after(platform, client):
    store = platform["ranking"].context.store
    store.redis.connection_pool = redis.ConnectionPool(host="127.0.0.1", port=closed_port(),
                                                       socket_connect_timeout=1)
    assert_unavailable(client.get("/api/ranking/influence"), "redis")
    assert client.get("/health/ranking/ready").status_code == 503


def test_a_bug_is_still_a_500(platform):
    """Only outages become 503: an unexpected error keeps saying it is ours."""
    from werkzeug.test import Client
    app = platform["catalog"].app

    @app.get("/boom")
    def boom():
        raise ValueError("a bug")
    reply = Client(app).get("/boom")
    assert reply.status_code == 500 and "Retry-After" not in reply.headers
