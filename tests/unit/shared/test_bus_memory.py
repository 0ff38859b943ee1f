"""The bus, outbox and inbox on kombu's in-memory transport; a relational consumer applies
what it already has in one transaction (shared/inbox.py), each event still exactly once."""

import pytest
from sqlalchemy import event as sa_event

from shared.events import make_event
from shared.domain_events import Outcome
from tests.support.buses import private_bus
from tests.support.notes_service import Visited, build


@pytest.fixture
def bus():
    bus = private_bus(retry_backoff=0.0, max_attempts=3)
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


# --- a batch in one transaction (shared/inbox.py) -----------------------------------------
def commits(db) -> list:
    seen = []
    sa_event.listen(db.engine, "commit", lambda conn: seen.append(1))
    return seen


def test_a_batch_is_one_transaction_and_each_event_applies_once(svc):
    ids = svc["emit_visits"](40)
    svc["relay"].flush()
    counted = commits(svc["db"])
    assert svc["consumer"].pump() == 40
    assert svc["recorded"]() == ids
    # 40 events in batches of at most 32: two transactions, not forty.
    assert len(counted) == 2 and svc["consumer"].batches == 2


def test_duplicates_within_a_batch_and_events_already_applied_change_nothing(svc, bus):
    first = make_event("shop.visited", {"visit_id": "v1", "shop_id": "s1", "visitor": "x"}, "test")
    second = make_event("shop.visited", {"visit_id": "v2", "shop_id": "s1", "visitor": "y"}, "test")
    bus.publish(first.to_dict())
    assert svc["consumer"].pump() == 1
    for body in (first, second, second, first):
        bus.publish(body.to_dict())
    assert svc["consumer"].pump() == 4
    assert svc["recorded"]() == ["v1", "v2"]


def test_a_poisoned_batch_is_rolled_back_and_applied_one_by_one(svc):
    good = svc["emit_visits"](3)
    svc["emit_visits"](1, visitor="poison")
    more = svc["emit_visits"](2)
    svc["relay"].flush()
    for _ in range(10):
        if svc["consumer"].pump() == 0:
            break
    # The good ones once each (the failed batch's writes were rolled back), the poison
    # dead-lettered after its attempts, nothing else lost.
    assert svc["recorded"]() == good + more
    assert svc["consumer"].dead_lettered == 1


def test_a_batch_that_lost_a_lock_race_is_applied_one_by_one_not_waited_out(tmp_path, bus):
    """On PostgreSQL two workers' batches can deadlock; that batch goes one event at a time
    at once (each in its own short transaction), instead of being put back as an outage."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, select
    from sqlalchemy.exc import OperationalError

    from shared.bus import Subscriptions
    from shared.db import Database
    from shared.inbox import idempotent_consumer

    class Deadlock(Exception):
        sqlstate = "40P01"

    metadata = MetaData()
    seen = Table("seen", metadata, Column("n", Integer, primary_key=True), Column("visit_id", String(64)))
    subscriptions = Subscriptions("racer")
    batched, in_batch = [], []

    @subscriptions.on("shop.visited")
    def record(uow, event):
        if in_batch and event.data["visit_id"] == "v2":   # the race is lost inside the batch only
            raise OperationalError("UPDATE stock", {}, Deadlock("deadlock detected"))
        uow.conn.execute(seen.insert().values(visit_id=event.data["visit_id"]))

    db = Database(f"sqlite:///{tmp_path / 'racer.db'}", metadata, producer="racer")
    db.create_all()
    bus.declare({"racer": subscriptions.event_types})
    consumer = idempotent_consumer(bus, "racer", db, subscriptions)
    inner = consumer.dispatch_batch

    def dispatch_batch(events):
        batched.append(len(events))
        in_batch.append(True)
        try:
            inner(events)
        finally:
            in_batch.clear()
    consumer.dispatch_batch = dispatch_batch
    for visit in ("v1", "v2", "v3"):
        bus.publish(make_event("shop.visited", {"visit_id": visit, "shop_id": "s", "visitor": "x"}, "t").to_dict())
    assert consumer.pump(limit=3) == 3          # one look: a batch put back would not come again
    with db.reading() as conn:
        assert [r[0] for r in conn.execute(select(seen.c.visit_id).order_by(seen.c.n))] == ["v1", "v2", "v3"]
    assert batched == [3] and consumer.batches == 0 and consumer.dead_lettered == 0
