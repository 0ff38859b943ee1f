"""One request followed across services on the embedded mode, workers running, no settle():
its X-Request-ID is in the answer, the log lines, the events and the consumers' lines, and
the metrics count it (tests/support/observe.py)."""
from __future__ import annotations

import pytest
from flask import Response
from werkzeug.test import Client

from tests.conftest import bearer
from tests.support.observe import follow_one_order, json_logs, sample

SERVICES = ("catalog", "order")


@pytest.fixture
def running(platform):
    platform.start()
    return platform


def test_one_order_is_followed_by_its_request_id_on_the_embedded_mode(running, client, admin):
    with json_logs() as lines:
        seen = follow_one_order(running, client, admin, bearer("m-buyer"), lines)
    # Every line written while serving that request carries its id, none another's.
    access = [e for e in lines.entries() if e["logger"] == "gwh.access"]
    assert access and all(e["request_id"] for e in access)
    assert seen["order_placed"]["producer"] == "order"


def test_the_gateway_keeps_a_sane_request_id_and_replaces_any_other(client):
    assert client.get("/api/catalog/products", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    # The older header is still read, and answered.
    answered = client.get("/api/catalog/products", headers={"X-Correlation-ID": "abc-2"}).headers
    assert answered["X-Request-ID"] == answered["X-Correlation-ID"] == "abc-2"
    for bad in ("has space", "x" * 129, 'quote"d', "new\\nline"):
        chosen = client.get("/api/catalog/products", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert chosen != bad and len(chosen) == 32
    fresh = {client.get("/api/catalog/products").headers["X-Request-ID"] for _ in range(3)}
    assert len(fresh) == 3
    # The gateway's own answers carry one too.
    missing = client.get("/no/such/route", headers={"X-Request-ID": "abc-3"})
    assert missing.status_code == 404 and missing.headers["X-Request-ID"] == "abc-3"


def test_metrics_are_served_by_each_service_and_never_through_the_gateway(platform, client):
    client.get("/api/catalog/products/nope")
    client.get("/api/catalog/products/nope")
    text = Client(platform["catalog"].app, Response).get("/metrics").get_data(as_text=True)
    # By route template, never by raw path: a million ids make one series.
    assert sample(text, "gwh_http_requests_total", service="catalog", route="/api/catalog/products/<product_id>",
                  status="404") >= 2
    assert sample(text, "gwh_http_requests_total", path="/api/catalog/products/nope") is None
    assert sample(text, "gwh_outbox_pending", service="catalog") is not None
    assert sample(text, "gwh_queue_consumers", service="catalog") is not None
    for path in ("/metrics", "/metrics/", "/api/metrics"):
        assert client.get(path).status_code == 404
    # Neither invented methods nor unknown paths make new series.
    catalog = Client(platform["catalog"].app, Response)
    catalog.open("/api/catalog/products", method="BREW")
    catalog.get("/no/such/path/123")
    text = catalog.get("/metrics").get_data(as_text=True)
    assert sample(text, "gwh_http_requests_total", service="catalog", method="BREW") is None
    assert sample(text, "gwh_http_requests_total", service="catalog", method="other", status="405") >= 1
    assert sample(text, "gwh_http_requests_total", service="catalog", route="unmatched", status="404") >= 1
