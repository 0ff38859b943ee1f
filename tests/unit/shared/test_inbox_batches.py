"""A relational service applies what the broker already sent in one transaction
(shared/inbox.py): each event still exactly once, and a batch that fails is applied again
one by one, so only the guilty event is retried and dead-lettered."""
import uuid

import pytest
from sqlalchemy import event as sa_event

from shared.bus import Bus
from shared.events import make_event
from tests.support.notes_service import build


@pytest.fixture
def bus():
    bus = Bus("memory://", exchange=f"gwh.test.{uuid.uuid4().hex[:8]}", retry_backoff=0.0, max_attempts=3)
    yield bus
    bus.close()


@pytest.fixture
def svc(tmp_path, bus):
    return build(f"sqlite:///{tmp_path / 'notes.db'}", bus)


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
