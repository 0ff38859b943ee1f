"""Events through the outbox, the relay and the idempotent inbox, against raw kombu.

Both sides move the same `shop.visited` envelopes from a producer to a consumer on the same
bus (the same connection settings, publisher confirms included on RabbitMQ). The raw side
publishes each body and takes it off its queue with a plain ack. Gouwuhao writes each event
to a SQLite outbox in the producer's transaction, the relay publishes and marks it sent,
and the consumer applies it in a transaction that records its id in the inbox.
"""
from __future__ import annotations

import uuid

from shared.bus import Bus
from shared.events import make_event

from bench.measure import Side, compare, discard, scratch


def events_per_second(url: str, n: int) -> tuple[float, float]:
    from tests.support.notes_service import build
    tmp = scratch("events")
    bus = Bus(url, exchange=f"gwh.bench.{uuid.uuid4().hex[:6]}")
    svc = build(f"sqlite:///{tmp / 'bench.db'}", bus, service="bench")
    bodies = [make_event("shop.visited", {"visit_id": uuid.uuid4().hex, "shop_id": "s", "visitor": "v"},
                         "bench").to_dict() for _ in range(n)]
    raw_queue = bus.queue_for("rawbench", ["shop.visited"])
    platform_queue = bus.queue_for("bench", ["shop.visited"])

    def purge(queue) -> None:
        # Both queues are bound to shop.visited: each side's events also land in the
        # other's queue, and must not be counted as that side's work.
        with bus.connect() as conn:
            queue(conn.channel()).purge()

    def raw(k: int) -> None:
        with bus.connect() as conn:
            producer = conn.Producer()
            queue = raw_queue(conn.channel())
            queue.declare()
            for body in bodies[:k]:
                producer.publish(body, exchange=bus.exchange, routing_key="shop.visited", serializer="json",
                                 delivery_mode=2, declare=[bus.exchange])
            got = 0
            while got < k:
                message = queue.get(no_ack=False, accept=["json"])
                if message is not None:
                    message.ack()
                    got += 1

    def platform(k: int) -> None:
        svc["emit_visits"](k)
        svc["relay"].flush()
        handled = 0
        while handled < k:
            handled += svc["consumer"].pump()

    try:
        with bus.connect() as conn:
            raw_queue(conn.channel()).declare()
        return compare(Side(raw, lambda: purge(raw_queue)), Side(platform, lambda: purge(platform_queue)), n)
    finally:
        bus.delete(["rawbench", "bench"])
        bus.close()
        svc["db"].dispose()
        discard(tmp)
