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
