"""The outbox relay on RabbitMQ, against the naive relay: one confirmed publish per event.

Both sides move the same `shop.visited` envelopes to the same queue on the same broker.
The naive side publishes them one by one through kombu with confirm_publish (each publish
waits for its confirm), as the relay did before. Gouwuhao's relay takes the pending rows
of a SQLite outbox (written before the round, untimed), publishes them in batches of 200,
waits for each batch's confirms together, and marks them sent.
"""
from __future__ import annotations

import uuid

from shared.bus import Bus
from shared.events import make_event

from bench.measure import Side, compare, discard, scratch


def relay_events_per_second(url: str, n: int) -> tuple[float, float]:
    from tests.support.notes_service import build
    tmp = scratch("relay")
    bus = Bus(url, exchange=f"gwh.bench.{uuid.uuid4().hex[:6]}")
    svc = build(f"sqlite:///{tmp / 'relay.db'}", bus, service="relaybench")
    bodies = [make_event("shop.visited", {"visit_id": uuid.uuid4().hex, "shop_id": "s", "visitor": "v"},
                         "bench").to_dict() for _ in range(n)]
    queue = bus.queue_for("relaybench", ["shop.visited"])

    def purge() -> None:
        with bus.connect() as conn:
            queue(conn.channel()).purge()

    def naive(k: int) -> None:
        for body in bodies[:k]:
            bus.publish(body)

    def refill() -> None:
        purge()
        svc["emit_visits"](n)

    def relay(k: int) -> None:
        svc["relay"].flush()

    try:
        # The warm-up relays the n rows refill wrote, like every measured round.
        return compare(Side(naive, purge), Side(relay, refill), n)
    finally:
        bus.delete(["relaybench"])
        bus.close()
        svc["db"].dispose()
        discard(tmp)
