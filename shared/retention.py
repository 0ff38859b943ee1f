"""Retention: sent outbox rows and inbox ids are deleted once they are old enough.

Both tables grow with every event (the issue counted 6,697 outbox rows, 8.7 MB, after 3,000
orders), and neither needs most of its rows for long:

- an inbox id guards against a redelivery, and no redelivery comes days later (a message
  is redelivered within seconds or minutes; even a broker restored from a backup redelivers
  within hours), so ids older than GWH_RETENTION_DAYS (default 7) go;
- a sent outbox row is done with once the broker confirmed it, except that the outbox is
  also the service's event history, which the ranking's rebuild replays
  (`/internal/<service>/events`, services/ranking/rebuild.py). So a sent row goes after
  GWH_RETENTION_DAYS *unless the history still needs it*:
    * LASTING events describe state that never expires (who a member is and is called,
      whom they befriended, what they show): a rebuild from nothing needs every one of
      them, however old, so they are kept. There is one per member action, not per visit
      or order, so they stay small.
    * WINDOWED events count only inside the ranking's 30-day window (orders, visits,
      featured changes): a rebuild ignores them once their day has left the window, so they
      are kept HISTORY_WINDOW_DAYS (the window, the store's 8-day grace for late refunds and
      duplicates, and a margin for time zones), then go.
    * WITHIN_RETENTION events (token revocations) matter only while the token they name
      lives, a day, so the usual retention keeps them long enough for a rebuild;
    * everything else (the order saga's steps, catalog cards, settlements) is not history
      any consumer replays, and goes after GWH_RETENTION_DAYS.
  A full rebuild from sequence 0 therefore still gives the same ranking after pruning (a
  test proves it). Unsent rows are never touched, however old.

Deletion runs in bounded batches (a short transaction each) from every relational
service's worker, as a periodic job, so a large backlog is worked off over a few runs
without holding locks for long.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select

from shared.clock import utcnow
from shared.db import Database

log = logging.getLogger("gwh.retention")

LASTING = frozenset({
    "shop.member.registered", "shop.member.updated", "shop.privacy.changed",
    "shop.friendship.created", "shop.friendship.removed",
})
WINDOWED = frozenset({
    "order.paid", "order.refunded", "shop.visited", "shop.featured.added", "shop.featured.removed",
})
# Replayed by a rebuild too, but only needed while the tokens they name live (at most
# GWH_JWT_TTL_SECONDS, a day by default), which the retention's 7 days outlast: they go
# with everything else.
WITHIN_RETENTION = frozenset({"shop.tokens.revoked"})
HISTORY_WINDOW_DAYS = 40
# How often the workers prune, and how much one run deletes at most.
INTERVAL_SECONDS = 3600.0
BATCH = 1000
MAX_BATCHES = 50


@dataclass(frozen=True)
class Pruned:
    outbox: int
    inbox: int


def prune(db: Database, retention_days: float, *, now: datetime | None = None, batch: int = BATCH,
          max_batches: int = MAX_BATCHES) -> Pruned:
    """Delete what retention allows, at most `batch * max_batches` rows of each table."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    history_cutoff = now - timedelta(days=max(retention_days, HISTORY_WINDOW_DAYS))
    outbox, inbox = db.outbox, db.inbox
    expired = and_(outbox.c.sent_at.is_not(None), or_(
        and_(outbox.c.type.not_in(LASTING | WINDOWED), outbox.c.sent_at < cutoff),
        and_(outbox.c.type.in_(WINDOWED), outbox.c.sent_at < history_cutoff),
    ))
    pruned_outbox = _in_batches(db, select(outbox.c.seq).where(expired),
                                lambda keys: delete(outbox).where(outbox.c.seq.in_(keys)), batch, max_batches)
    pruned_inbox = _in_batches(db, select(inbox.c.event_id).where(inbox.c.applied_at < cutoff),
                               lambda keys: delete(inbox).where(inbox.c.event_id.in_(keys)), batch, max_batches)
    if pruned_outbox or pruned_inbox:
        log.info("%s: pruned %d sent outbox rows and %d inbox ids older than retention",
                 db.producer, pruned_outbox, pruned_inbox)
    return Pruned(pruned_outbox, pruned_inbox)


def _in_batches(db: Database, query, delete_of, batch: int, max_batches: int) -> int:
    total = 0
    for _ in range(max_batches):
        with db.engine.begin() as conn:
            keys = [row[0] for row in conn.execute(query.limit(batch)).all()]
            if keys:
                conn.execute(delete_of(keys))
        total += len(keys)
        if len(keys) < batch:
            break
    return total
