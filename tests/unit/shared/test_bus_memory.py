"""The bus, outbox and inbox on kombu's in-memory transport."""
import uuid

import pytest

from shared.bus import Bus
from shared.events import make_event
from shared.domain_events import Outcome
from tests.support.notes_service import Visited, build


@pytest.fixture
def bus():
    bus = Bus("memory://", exchange=f"gwh.test.{uuid.uuid4().hex[:8]}", retry_backoff=0.0, max_attempts=3)
    yield bus
    bus.close()


@pytest.fixture
def svc(tmp_path, bus):
    return build(f"sqlite:///{tmp_path / 'notes.db'}", bus)


def test_outbox_events_arrive_once_in_order(svc):
    ids = svc["emit_visits"](25)
    assert svc["relay"].pending() == 25
    assert svc["relay"].flush() == 25
    assert svc["relay"].pending() == 0
    assert svc["consumer"].pump() == 25
    assert svc["recorded"]() == ids
    assert svc["relay"].flush() == 0  # nothing is sent twice


def test_a_rolled_back_transaction_emits_nothing(svc):
    with pytest.raises(RuntimeError):
        with svc["db"].unit_of_work() as uow:
            uow.track(Outcome([Visited("v1", "s1", "x")]))
            raise RuntimeError("the state change failed")
    assert svc["relay"].pending() == 0


def test_a_redelivered_event_changes_nothing(svc, bus):
    evt = make_event("shop.visited", {"visit_id": "v1", "shop_id": "s1", "visitor": "x"}, "test")
    for _ in range(3):
        bus.publish(evt.to_dict())
    assert svc["consumer"].pump() == 3
    assert svc["recorded"]() == ["v1"]


def test_a_failing_handler_is_retried_then_succeeds(svc):
    svc["emit_visits"](1, visitor="flaky-1")
    svc["relay"].flush()
    handled = 0
    for _ in range(5):
        handled += svc["consumer"].pump()
    assert svc["count"]() == 1
    assert svc["consumer"].dead_lettered == 0


def test_a_poison_message_goes_to_the_dead_letter_queue_without_blocking(svc, bus):
    poison = svc["emit_visits"](1, visitor="poison")
    good = svc["emit_visits"](2)
    svc["relay"].flush()
    for _ in range(10):
        if svc["consumer"].pump() == 0:
            break
    assert svc["recorded"]() == good
    assert svc["consumer"].dead_lettered == 1
    ready, _ = bus.queue_depth("notes", ["shop.visited"], dead=True)
    assert ready == 1
    with bus.connect() as conn:
        message = bus.dead_letter_queue("notes")(conn.channel()).get(no_ack=True, accept=["json"])
        assert message.payload["data"]["visit_id"] == poison[0]
        assert "ValueError" in message.headers["x-gwh-reason"]


def test_an_invalid_message_is_dead_lettered_at_once(svc, bus):
    bus._publish_raw({"id": "nope", "type": "shop.visited"}, exchange=bus.exchange, routing_key="shop.visited")
    assert svc["consumer"].pump() == 1
    assert svc["consumer"].dead_lettered == 1
    assert svc["count"]() == 0


def test_a_consumer_thread_receives_what_the_relay_publishes(svc):
    import threading
    from shared.bus import wait_for
    threads = [threading.Thread(target=svc["consumer"].run, daemon=True),
               threading.Thread(target=svc["relay"].run, daemon=True)]
    for t in threads:
        t.start()
    try:
        assert wait_for(lambda: svc["consumer"].attached, 5)
        ids = svc["emit_visits"](10)
        assert wait_for(lambda: svc["count"]() == 10, 10)
        assert svc["recorded"]() == ids
    finally:
        svc["consumer"].stop()
        svc["relay"].stop()
        for t in threads:
            t.join(5)
