"""Retention (shared/retention.py): what goes, what stays, and in bounded batches."""

import pytest
from sqlalchemy import MetaData

from services.ranking.rebuild import consumed_types_by_producer
from shared import retention
from shared.db import Database
from shared.events import CATALOGUE
from tests.support.retention import add_event, add_inbox, count, outbox_types


@pytest.fixture
def db(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'svc.db'}", MetaData(), producer="shop")
    db.create_all()
    yield db
    db.dispose()


def test_sent_rows_past_retention_go_unless_the_history_still_needs_them(db):
    add_event(db, "order.placed", sent_days_ago=8)       # a saga step, past 7 days: goes
    add_event(db, "order.placed", sent_days_ago=6)       # within retention: stays
    add_event(db, "order.placed", sent_days_ago=None)    # never sent: stays, however old
    add_event(db, "order.paid", sent_days_ago=8)         # windowed history, inside 40 days: stays
    add_event(db, "order.paid", sent_days_ago=41)        # out of the ranking's window: goes
    add_event(db, "shop.member.registered", sent_days_ago=400)  # lasting state: stays forever
    pruned = retention.prune(db, 7)
    assert pruned.outbox == 2
    assert outbox_types(db) == [("order.paid", True), ("order.placed", False), ("order.placed", True),
                                ("shop.member.registered", True)]


def test_inbox_ids_past_retention_go(db):
    add_inbox(db, 3, days_ago=8)
    add_inbox(db, 2, days_ago=1)
    assert retention.prune(db, 7).inbox == 3
    assert count(db, db.inbox) == 2


def test_a_run_deletes_in_bounded_batches(db):
    add_inbox(db, 25, days_ago=30)
    assert retention.prune(db, 7, batch=10, max_batches=2).inbox == 20
    assert count(db, db.inbox) == 5
    assert retention.prune(db, 7, batch=10, max_batches=2).inbox == 5


def test_the_retention_is_configurable():
    from shared.config import load
    assert load({}).retention_days == 7
    assert load({"GWH_RETENTION_DAYS": "30"}).retention_days == 30


def test_every_event_type_the_ranking_replays_is_kept_as_history():
    """A type the ranking starts to consume must be classed here, or retention would delete
    history a rebuild needs."""
    replayed = {t for types in consumed_types_by_producer().values() for t in types}
    assert replayed == retention.LASTING | retention.WINDOWED | retention.WITHIN_RETENTION
    assert not retention.LASTING & retention.WINDOWED
    assert not (retention.LASTING | retention.WINDOWED) & retention.WITHIN_RETENTION
    assert (retention.LASTING | retention.WINDOWED | retention.WITHIN_RETENTION) <= set(CATALOGUE)


def test_revocations_are_kept_longer_than_the_tokens_they_name_live():
    from shared.config import load
    config = load({})
    assert config.retention_days * 86400 > config.jwt_ttl_seconds


def test_the_history_window_outlasts_the_rankings_window_and_grace():
    from services.ranking.store import GRACE
    from services.ranking.domain import InfluenceWindow
    window = InfluenceWindow("Asia/Shanghai")
    assert retention.HISTORY_WINDOW_DAYS > window.length + GRACE.days


def test_every_relational_worker_runs_the_retention_job(platform):
    for name in ("catalog", "shop", "order"):
        assert f"{name}-retention" in [job.name for job in platform[name].periodic]
