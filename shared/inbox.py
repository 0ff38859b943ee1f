"""Idempotent consumers for relational services.

`transactional_dispatch` turns a service's Subscriptions into the `dispatch(event)` the bus
consumer calls: each handler runs in one unit of work together with the inbox row that
records the event id, so its effects and "applied" commit together. A redelivered or
duplicated event finds its id and changes nothing.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy.exc import IntegrityError

from shared.bus import Subscriptions
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
        with db.unit_of_work() as uow:
            seen: set[str] = set()
            for evt in events:
                handler = subscriptions.handlers.get(evt.type)
                if handler is None or evt.id in seen or uow.already_applied(evt.id):
                    continue
                seen.add(evt.id)
                handler(uow, evt)
                uow.record_applied(evt)
    return dispatch_batch
