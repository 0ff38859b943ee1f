"""The relay publishes a batch and waits for its confirms together, on the real RabbitMQ:
it marks sent exactly the events the broker confirmed, also when it refuses some mid-batch.

The broker refuses for real here: a queue with `x-max-length` and `x-overflow:
reject-publish` makes RabbitMQ nack every message it has no room for.
"""
import uuid
from collections import Counter

import pytest

from shared.bus import Bus, PartlyPublished, wait_for
from shared.events import make_event
from tests.support.notes_service import build

ROOM = 3


@pytest.fixture
def exchange():
    return f"gwh.test.{uuid.uuid4().hex[:8]}"


def visit() -> dict:
    return make_event("shop.visited", {"visit_id": uuid.uuid4().hex, "shop_id": "s", "visitor": "v"}, "t").to_dict()


def test_the_bus_says_how_many_of_a_batch_the_broker_confirmed_before_refusing(amqp_url, exchange):
    bus = Bus(amqp_url, exchange=exchange, queue_arguments={"x-max-length": ROOM, "x-overflow": "reject-publish"})
    bus.declare({"notes": ["shop.visited"]})
    try:
        with pytest.raises(PartlyPublished) as refused:
            bus.publish_batch([visit() for _ in range(ROOM + 4)])
        assert refused.value.confirmed == ROOM
        # The publisher reconnects for the next batch.
        with pytest.raises(PartlyPublished) as full:
            bus.publish_batch([visit()])
        assert full.value.confirmed == 0
    finally:
        bus.delete(["notes"])
        bus.close()


def test_a_batch_is_confirmed_whole(amqp_url, exchange):
    bus = Bus(amqp_url, exchange=exchange)
    bus.declare({"notes": ["shop.visited"]})
    try:
        assert bus.publish_batch([visit() for _ in range(50)]) == 50
        assert bus.publish_batch([visit() for _ in range(7)]) == 7  # tags go on counting on one channel
        assert wait_for(lambda: bus.queue_depth("notes", ["shop.visited"])[0] == 57, 10)
    finally:
        bus.delete(["notes"])
        bus.close()


def test_a_broker_that_refuses_mid_batch_gets_only_the_confirmed_ones_marked_sent(amqp_url, tmp_path, exchange):
    bus = Bus(amqp_url, exchange=exchange, queue_arguments={"x-max-length": ROOM, "x-overflow": "reject-publish"})
    svc = build(f"sqlite:///{tmp_path / 'notes.db'}", bus)
    relay = svc["relay"]
    try:
        ids = svc["emit_visits"](8)
        with pytest.raises(RuntimeError, match="nacked"):
            relay.flush()
        assert relay.pending() == 8 - ROOM  # the nacked ones were not marked sent

        # Room again: the consumer takes the three, the relay sends the rest.
        while relay.pending():
            svc["consumer"].pump()
            try:
                relay.flush()
            except RuntimeError:
                pass
        assert wait_for(lambda: (svc["consumer"].pump() or True) and svc["count"]() >= 8, 15)
        assert Counter(svc["recorded"]()) == Counter(ids)  # every event, each once
    finally:
        bus.delete(["notes"])
        bus.close()
        svc["db"].dispose()
