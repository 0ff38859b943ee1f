"""An API while its PostgreSQL is away (the real server through a TCP proxy the test cuts):
503 problem+json with Retry-After instead of 500, unready; back when the database is."""
from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.test import Client

from services.catalog.app import build
from shared.bus import wait_for
from shared.outages import RETRY_AFTER_SECONDS
from tests.conftest import make_config
from tests.support.tcp_proxy import TcpProxy


def test_the_catalog_answers_503_with_retry_after_while_postgres_is_down(tmp_path, postgres_url):
    parts = urlsplit(postgres_url)
    proxy = TcpProxy(parts.hostname, parts.port).open()
    url = f"postgresql://{parts.username}@127.0.0.1:{proxy.port}{parts.path}"
    config = make_config(tmp_path / "data", database_urls={"catalog": url})
    catalog = build(config)
    client = Client(catalog.app)
    try:
        assert client.get("/api/catalog/products").status_code == 200  # a pooled connection exists
        proxy.cut()  # drops it, and refuses new ones
        reply = client.get("/api/catalog/products")
        assert reply.status_code == 503, reply.get_data(as_text=True)
        assert reply.headers["Content-Type"] == "application/problem+json"
        assert reply.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert reply.json["retry_after"] == RETRY_AFTER_SECONDS and "database" in reply.json["detail"]
        assert client.get("/health/ready").status_code == 503
        proxy.open()
        assert wait_for(lambda: client.get("/api/catalog/products").status_code == 200, 10)
        assert client.get("/health/ready").json["checks"]["database"]["ok"] is True
    finally:
        proxy.cut()
        catalog.close()
