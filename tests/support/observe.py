"""Helpers to read what the platform reports: Prometheus text and JSON log lines."""
from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager
from typing import Iterator

from prometheus_client.parser import text_string_to_metric_families

from shared import logs


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample (e.g. gwh_http_requests_total) whose labels include `labels`."""
    found = None
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                found = (found or 0.0) + s.value
    return found


class JsonLines:
    """What the root logger wrote, one JSON object per line, as the cluster writes them."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]

    def matching(self, **fields) -> list[dict]:
        return [e for e in self.entries() if all(e.get(k) == v for k, v in fields.items())]


@contextmanager
def json_logs(level: int = logging.INFO) -> Iterator[JsonLines]:
    """Capture every log line of this process as JSON, with the handler the cluster uses."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.json_formatter())
    handler.addFilter(logs.RequestIdFilter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield JsonLines(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


# --- one purchase, followed by its request id -----------------------------------------------

def follow_one_order(platform, client, admin_headers, buyer_headers, lines: JsonLines) -> dict:
    """Place one order with a chosen X-Request-ID, with the workers running and no settle(),
    and check that the id reaches: the answer, the access line, the order.placed event, the
    catalog's log line for it, the catalog.stock.reserved event its handler emitted, and the
    order service's log line for that one. Returns what it saw, for more checks."""
    import uuid

    from flask import Response
    from werkzeug.test import Client

    from services.order import store as order_store
    from shared.bus import wait_for
    from shared.outbox import history

    request_id = f"req-{uuid.uuid4().hex[:12]}"
    before = Client(platform["order"].app, Response).get("/metrics").get_data(as_text=True)
    brand = client.post("/api/catalog/brands", json={"name": f"Brand {request_id}"}, headers=admin_headers).json
    product = client.post("/api/catalog/products", headers=admin_headers, json={
        "brand_id": brand["id"], "sku": f"sku-{request_id}", "name": "Tea", "category": "tea",
        "list_price_cents": 5000, "exclusive_price_cents": 4500, "commission_rate_bp": 1000, "stock": 5}).json

    def card_known() -> bool:
        with platform["order"].db.reading() as conn:
            return product["id"] in order_store.cards_by_ids(conn, [product["id"]])

    assert wait_for(card_known, 15)
    placed = client.post("/api/orders", json={"items": [{"product_id": product["id"], "quantity": 2}]},
                         headers={**buyer_headers, "X-Request-ID": request_id})
    assert placed.status_code == 202, placed.json
    assert placed.headers["X-Request-ID"] == request_id
    order_id = placed.json["id"]

    def events(service: str, event_type: str) -> list[dict]:
        return [e["event"] for e in history(platform[service].db, types=[event_type], limit=10_000)
                if e["event"]["data"].get("order_id") == order_id]

    # The handler that reserved the stock emitted its answer under the same id.
    assert wait_for(lambda: events("catalog", "catalog.stock.reserved"), 15)
    [order_placed] = events("order", "order.placed")
    [reserved] = events("catalog", "catalog.stock.reserved")
    assert order_placed["correlation_id"] == request_id
    assert reserved["correlation_id"] == request_id

    # Log lines: the request's access line, and each consuming service's line for the event.
    assert wait_for(lambda: lines.matching(logger="gwh.bus", event_type="catalog.stock.reserved",
                                           event_id=reserved["id"]), 15)
    [access] = lines.matching(logger="gwh.access", request_id=request_id, route="/api/orders")
    assert (access["method"], access["status"], access["service"]) == ("POST", 202, "order")
    [catalog_line] = lines.matching(logger="gwh.bus", event_type="order.placed", event_id=order_placed["id"],
                                    service="catalog")
    [order_line] = lines.matching(logger="gwh.bus", event_type="catalog.stock.reserved", event_id=reserved["id"],
                                  service="order")
    assert catalog_line["request_id"] == request_id and order_line["request_id"] == request_id
    assert {"timestamp", "level", "message"} <= set(catalog_line)

    # The counters moved: this request, and the events of this order.
    after = Client(platform["order"].app, Response).get("/metrics").get_data(as_text=True)

    def moved(name: str, **labels) -> float:
        return (sample(after, name, **labels) or 0) - (sample(before, name, **labels) or 0)

    assert moved("gwh_http_requests_total", service="order", method="POST", route="/api/orders", status="202") == 1
    assert moved("gwh_http_request_duration_seconds_count", service="order", method="POST", route="/api/orders") == 1
    assert moved("gwh_events_published_total", service="order", type="order.placed") >= 1
    assert moved("gwh_events_consumed_total", service="catalog", type="order.placed") >= 1
    assert moved("gwh_events_published_total", service="catalog", type="catalog.stock.reserved") >= 1
    assert moved("gwh_events_consumed_total", service="order", type="catalog.stock.reserved") >= 1
    # The backlog is read from the service's own database and queue.
    assert sample(after, "gwh_outbox_pending", service="order") is not None
    assert sample(after, "gwh_queue_messages", service="order", queue="dead") == 0
    return {"request_id": request_id, "order_id": order_id, "order_placed": order_placed, "reserved": reserved}
