"""A tiny relational 'service' built from the shared parts, to test the mechanisms alone.

It records every shop.visited it handles in a table, fails on purpose for some visitors,
and emits events through its outbox like any real service.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, select

from shared.bus import Bus, Subscriptions
from shared.db import Database
from shared.domain_events import DomainEvent, Outcome
from shared.inbox import idempotent_consumer
from shared.outbox import OutboxRelay


class FlakyStore(Exception):
    pass


@dataclass(frozen=True)
class Visited(DomainEvent):
    """What this test service records: a shop.visited, like the shop's own."""

    TYPE: ClassVar[str] = "shop.visited"
    visit_id: str
    shop_id: str
    visitor: str


def build(db_url: str, bus: Bus, *, service: str = "notes"):
    metadata = MetaData()
    seen = Table("seen", metadata, Column("n", Integer, primary_key=True, autoincrement=True),
                 Column("visit_id", String(64), nullable=False))
    # Built once, values bound per event, as the services' stores build their hot statements.
    record_visit = seen.insert().values(visit_id=bindparam("visit_id"))
    subscriptions = Subscriptions(service)
    failures: dict[str, int] = {}

    @subscriptions.on("shop.visited")
    def record(uow, event):
        visitor = event.data["visitor"]
        if visitor == "poison":
            raise ValueError("this visitor always breaks the handler")
        if visitor.startswith("flaky") and failures.get(event.id, 0) < 2:
            failures[event.id] = failures.get(event.id, 0) + 1
            raise RuntimeError("fails twice, then works")
        uow.conn.execute(record_visit, {"visit_id": event.data["visit_id"]})

    db = Database(db_url, metadata, producer=service)
    db.create_all()
    relay = OutboxRelay(db, bus, interval=0.05)
    consumer = idempotent_consumer(bus, service, db, subscriptions)
    bus.declare({service: subscriptions.event_types})

    def emit_visits(n: int, visitor: str = "v") -> list[str]:
        ids = []
        with db.unit_of_work() as uow:
            visits = uow.track(Outcome())
            for _ in range(n):
                visit_id = uuid.uuid4().hex
                visits.record(Visited(visit_id, "s1", visitor))
                ids.append(visit_id)
        return ids

    def recorded() -> list[str]:
        with db.reading() as conn:
            return [r[0] for r in conn.execute(select(seen.c.visit_id).order_by(seen.c.n))]

    def count() -> int:
        with db.reading() as conn:
            return conn.execute(select(func.count()).select_from(seen)).scalar_one()

    return {"db": db, "relay": relay, "consumer": consumer, "emit_visits": emit_visits, "recorded": recorded,
            "count": count, "failures": failures}
