"""Idempotent consumers for relational services.

`transactional_dispatch` turns a service's Subscriptions into the `dispatch(event)` the bus
consumer calls: each handler runs in one unit of work together with the inbox row that
records the event id, so its effects and "applied" commit together. A redelivered or
duplicated event finds its id and changes nothing.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.batch import BatchConsumer
from shared.bus import Bus, Subscriptions
from shared.db import Database
from shared.events import Event

log = logging.getLogger("gwh.inbox")


def transactional_dispatch(db: Database, subscriptions: Subscriptions) -> Callable[[Event], None]:
    def dispatch(evt: Event) -> None:
        handler = subscriptions.handlers.get(evt.type)
        if handler is None:
            return
        try:
            with db.unit_of_work() as uow:
                if uow.already_applied(evt.id):
                    log.debug("%s already applied %s", subscriptions.service, evt.id)
                    return
                handler(uow, evt)
                uow.record_applied(evt)
        except IntegrityError:
            # Two deliveries of one event raced and the other committed first: that is a
            # duplicate, not a failure. Anything else is a real constraint error.
            with db.unit_of_work() as uow:
                if uow.already_applied(evt.id):
                    return
            raise
    return dispatch


def transactional_batch_dispatch(db: Database, subscriptions: Subscriptions) -> Callable[[list[Event]], None]:
    """The batch form of `transactional_dispatch`, for a BatchConsumer (shared/batch.py):
    every event of the batch is applied in ONE unit of work, each with its inbox row, so a
    batch costs one transaction (and one commit's fsync) instead of one per event.

    Any failure rolls the whole batch back and raises; the BatchConsumer then handles the
    batch again one event at a time through `transactional_dispatch`, so only a guilty
    event is retried or dead-lettered. A duplicate within the batch, or one already
    applied, changes nothing, as one by one."""
    def dispatch_batch(events: list[Event]) -> None:
        try:
            with db.unit_of_work() as uow:
                # One inbox lookup and one inbox insert for the batch: per event they were
                # most of the batch's statements (cProfile of `make bench`'s events row).
                seen = uow.applied_among([evt.id for evt in events])
                applied = []
                for evt in events:
                    handler = subscriptions.handlers.get(evt.type)
                    if handler is None or evt.id in seen:
                        continue
                    seen.add(evt.id)
                    handler(uow, evt)
                    applied.append(evt)
                uow.record_applied_many(applied)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) in CONFLICTS:
                # Two workers' batches took the same rows in different orders: not an outage
                # to wait out, but a reason to apply these events one by one, each in its
                # own short transaction, as the plain path does.
                raise BatchConflict(str(exc.orig)) from exc
            raise
    return dispatch_batch


# PostgreSQL's deadlock_detected and serialization_failure.
CONFLICTS = frozenset({"40P01", "40001"})


class BatchConflict(RuntimeError):
    """A batch lost a lock race with another worker's; its events go one by one."""


def idempotent_consumer(bus: Bus, service: str, db: Database, subscriptions: Subscriptions,
                        batch_size: int = 32) -> BatchConsumer:
    """A relational service's consumer: what the broker has already sent is applied in one
    transaction, each event with its inbox row (one commit per batch instead of one per
    event, `make bench`: events through outbox, relay and inbox); a batch that fails is
    applied again one by one, so only a guilty event is retried or dead-lettered."""
    return BatchConsumer(bus, service, subscriptions.event_types, transactional_dispatch(db, subscriptions),
                         dispatch_batch=transactional_batch_dispatch(db, subscriptions), batch_size=batch_size)
