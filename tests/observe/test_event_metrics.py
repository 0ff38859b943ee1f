"""Events published, consumed, retried and dead-lettered are counted by type; the outbox
backlog and the queue depth are read when scraped; a worker serves them on a port."""
from __future__ import annotations

import uuid

import pytest
import requests

from shared import metrics
from shared.bus import Bus, Consumer
from shared.events import make_event
from tests.support.buses import private_bus
from tests.support.notes_service import build
from tests.support.observe import sample


@pytest.fixture
def bus():
    bus = private_bus(retry_backoff=0.0, max_attempts=3)
    yield bus
    bus.close()


@pytest.fixture
def svc(tmp_path, bus):
    # A service name of its own: the counters are the process's, so no other test moves these.
    name = f"notes{uuid.uuid4().hex[:8]}"
    return {**build(f"sqlite:///{tmp_path / 'notes.db'}", bus, service=name), "name": name}


class _Parts:
    """What Backlog.watch reads of a ServiceParts."""

    def __init__(self, svc, bus):
        self.name, self.db, self.consumer, self.bus = svc["name"], svc["db"], svc["consumer"], bus


def scrape(svc, bus) -> str:
    body, _ = metrics.exposition(metrics.Backlog().watch(_Parts(svc, bus)))
    return body.decode()


def test_published_consumed_and_the_backlog_are_counted(svc, bus):
    name = svc["name"]
    svc["emit_visits"](3)
    text = scrape(svc, bus)
    assert sample(text, "gwh_outbox_pending", service=name) == 3
    assert sample(text, "gwh_outbox_oldest_pending_age_seconds", service=name) >= 0
    assert sample(text, "gwh_events_published_total", service=name, type="shop.visited") is None
    svc["relay"].flush()
    text = scrape(svc, bus)
    assert sample(text, "gwh_outbox_pending", service=name) == 0
    assert sample(text, "gwh_outbox_oldest_pending_age_seconds", service=name) == 0
    assert sample(text, "gwh_events_published_total", service=name, type="shop.visited") == 3
    # Published, not yet consumed: that is the consumer lag.
    assert sample(text, "gwh_queue_messages", service=name, queue="main") == 3
    assert svc["consumer"].pump() == 3
    text = scrape(svc, bus)
    assert sample(text, "gwh_queue_messages", service=name, queue="main") == 0
    assert sample(text, "gwh_events_consumed_total", service=name, type="shop.visited") == 3


def test_retries_and_dead_letters_are_counted_by_type(svc, bus):
    name = svc["name"]
    # One at a time: taken together, a failing batch would be retried one by one, and the
    # flaky handler's first failure would be the batch's, not a retry's.
    for visitor in ("flaky-1", "poison"):
        svc["emit_visits"](1, visitor=visitor)
        svc["relay"].flush()
        for _ in range(10):
            if svc["consumer"].pump() == 0:
                break
    bus._publish_raw({"id": "nope", "type": "shop.visited"}, exchange=bus.exchange, routing_key="shop.visited")
    svc["consumer"].pump()
    text = scrape(svc, bus)
    # flaky: fails twice then works; poison: fails 3 times (max_attempts), then dead-lettered.
    assert sample(text, "gwh_events_retried_total", service=name, type="shop.visited", reason="handler_failed") == 4
    assert sample(text, "gwh_events_consumed_total", service=name, type="shop.visited") == 1
    assert sample(text, "gwh_events_dead_lettered_total", service=name, type="shop.visited") == 1
    assert sample(text, "gwh_events_dead_lettered_total", service=name, type="invalid") == 1
    assert sample(text, "gwh_queue_messages", service=name, queue="dead") == 2


def test_a_store_outage_is_counted_as_a_wait_not_a_failure(bus):
    name = f"waits{uuid.uuid4().hex[:8]}"
    calls = []

    def dispatch(evt):
        calls.append(evt.id)
        if len(calls) == 1:
            raise ConnectionError("the database went away")

    consumer = Consumer(bus, name, ["shop.visited"], dispatch)
    bus.declare({name: ["shop.visited"]})
    bus.publish(make_event("shop.visited", {"visit_id": "v1", "shop_id": "s1", "visitor": "x"}, "test").to_dict())
    consumer.pump()
    consumer.pump()
    body, _ = metrics.exposition()
    text = body.decode()
    assert sample(text, "gwh_events_retried_total", service=name, reason="store_unavailable") == 1
    assert sample(text, "gwh_events_consumed_total", service=name) == 1
    assert sample(text, "gwh_events_dead_lettered_total", service=name) is None


def test_a_source_that_does_not_answer_leaves_the_scrape_standing(svc, bus):
    name = svc["name"]
    svc["db"].dispose()
    broken = Bus("amqp://guest:guest@127.0.0.1:1//", exchange="gwh.nowhere")
    parts = _Parts(svc, broken)
    parts.db = type("Gone", (), {"outbox": svc["db"].outbox,
                                 "reading": lambda self: (_ for _ in ()).throw(OSError("gone"))})()
    body, _ = metrics.exposition(metrics.Backlog().watch(parts))
    text = body.decode()
    assert sample(text, "gwh_outbox_pending", service=name) is None
    assert sample(text, "gwh_backlog_scrape_errors_total", service=name, source="database") == 1
    assert sample(text, "gwh_backlog_scrape_errors_total", service=name, source="broker") == 1


def test_a_worker_serves_its_metrics_on_a_port(svc, bus):
    svc["emit_visits"](2)
    server = metrics.serve(0, metrics.Backlog().watch(_Parts(svc, bus)), addr="127.0.0.1")
    try:
        reply = requests.get(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5)
        assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/plain")
        assert sample(reply.text, "gwh_outbox_pending", service=svc["name"]) == 2
    finally:
        server.shutdown()
