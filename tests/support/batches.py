"""A recording handler for the batch consumer's tests, on any broker."""
from __future__ import annotations

import uuid

from shared.batch import BatchConsumer
from shared.bus import Bus
from shared.events import make_event


class Recorder:
    """Records each batch and each single event it is given; fails on purpose for events
    whose visitor says so."""

    def __init__(self, broken_store: bool = False):
        self.batches: list[list[str]] = []
        self.singles: list[str] = []
        self.broken_store = broken_store

    def batch(self, events) -> None:
        if self.broken_store:
            raise ConnectionError("the store is down")
        if any(e.data["visitor"] == "poison" for e in events):
            raise ValueError("one of these events breaks the handler")
        self.batches.append([e.data["visit_id"] for e in events])

    def single(self, event) -> None:
        if event.data["visitor"] == "poison":
            raise ValueError("this event breaks the handler")
        self.singles.append(event.data["visit_id"])


def consumer(bus: Bus, recorder: Recorder, batch_size: int = 8) -> BatchConsumer:
    bus.declare({"notes": ["shop.visited"]})
    return BatchConsumer(bus, "notes", ["shop.visited"], recorder.single, dispatch_batch=recorder.batch,
                         batch_size=batch_size)


def publish_visits(bus: Bus, n: int, visitor: str = "v") -> list[str]:
    ids = []
    for _ in range(n):
        visit_id = uuid.uuid4().hex
        bus.publish(make_event("shop.visited", {"visit_id": visit_id, "shop_id": "s1", "visitor": visitor},
                               "shop").to_dict())
        ids.append(visit_id)
    return ids
