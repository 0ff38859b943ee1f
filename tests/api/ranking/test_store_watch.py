"""The ranking store watched (services/ranking/watch.py) on the embedded platform: a lost
store is noticed, shown in health, and rebuilt from the history; catch-ups replay only
what follows the checkpoint; one rebuilder at a time."""
from __future__ import annotations

import pytest

from services.ranking.watch import CHECKPOINT, EPOCH, LOCK, LostLock
from shared.bus import wait_for
from tests.support.ranking_market import Market
from tests.support.ranking_trades import trade
from tests.support.ranking_events import snapshot


@pytest.fixture
def market(platform, client, admin):
    return Market(platform, client, admin)


@pytest.fixture
def watch(platform):
    return platform["ranking"].context.watch


def history_seqs(market: Market) -> dict[str, int]:
    """The last seq of each producer's history, as the ranking replays it."""
    from services.ranking.rebuild import consumed_types_by_producer
    last = {}
    for producer, types in consumed_types_by_producer().items():
        items = market.client.get(f"/internal/{producer}/events", headers=market.admin,
                                  query_string={"types": ",".join(types), "limit": 5000}).json["items"]
        last[producer] = items[-1]["seq"]
    return last


def test_a_store_without_epoch_is_degraded_and_a_look_rebuilds_it(market, watch, client):
    seller, _, _ = trade(market)
    store = market.platform["ranking"].context.store
    board = client.get("/api/ranking/influence").json
    before = snapshot(store.redis)
    assert board["items"][0]["member_id"] == seller

    # Never rebuilt yet (a first start): no epoch, so health says the data is missing.
    ready = client.get("/health/ranking/ready")
    assert ready.status_code == 200 and ready.json["status"] == "degraded"
    assert "lost its data" in ready.json["checks"]["store"]["detail"]

    store.redis.flushdb()  # the store loses everything
    assert client.get("/api/ranking/influence").json == {"items": []}
    health = client.get("/health")
    assert health.status_code == 200 and health.json["services"]["ranking"]["status"] == "degraded"

    recovery = watch.watch()
    market.platform.settle()
    # Two registrations, a featured product, a visit, a paid order.
    assert recovery.kind == "full" and recovery.replayed == 5
    assert client.get("/api/ranking/influence").json == board
    assert snapshot(store.redis) == before
    assert watch.epoch() is not None and watch.checkpoint() == history_seqs(market)
    assert client.get("/health/ranking/ready").json["checks"]["store"] == {"ok": True, "required": False}
    # With the epoch in place, a look does nothing until a catch-up is due.
    assert watch.watch() is None


def test_a_catch_up_replays_only_the_events_after_the_checkpoint(market, watch, client):
    seller, buyer_token, tea = trade(market)
    full = watch.watch()
    assert full.kind == "full"
    checkpoint = watch.checkpoint()

    # A paid order the ranking never hears of live (lost on the way).
    consumer = market.platform["ranking"].consumer
    live = consumer.dispatch
    consumer.dispatch = lambda event: None
    market.buy(buyer_token, tea, seller)
    consumer.dispatch = live
    score_before = client.get(f"/api/ranking/members/{seller}").json["score"]

    recovery = watch.recover("catch-up", watch.fetch_factory())
    market.platform.settle()
    assert recovery.kind == "catch-up"
    # Only what came after the checkpoint: the new order's paid event.
    assert recovery.replayed == 1
    assert recovery.checkpoint["order"] > checkpoint["order"]
    assert watch.checkpoint() == history_seqs(market)
    assert client.get(f"/api/ranking/members/{seller}").json["score"] == score_before + 500 + 0
    # Nothing after the new checkpoint: the next catch-up replays nothing.
    assert watch.recover("catch-up", watch.fetch_factory()).replayed == 0


def test_a_catch_up_changes_nothing_when_the_live_events_all_arrived(market, watch, client):
    seller, buyer_token, tea = trade(market)
    watch.watch()
    market.buy(buyer_token, tea, seller)
    store = market.platform["ranking"].context.store
    before = snapshot(store.redis)
    assert watch.recover("catch-up", watch.fetch_factory()).replayed == 1
    assert snapshot(store.redis) == before


def test_one_rebuilder_at_a_time(market, watch):
    trade(market)
    other = watch.redis.lock(LOCK, timeout=30)
    assert other.acquire(blocking=False)  # another worker is rebuilding
    try:
        assert watch.watch() is None
        assert watch.epoch() is None  # it left the store alone
        from werkzeug.test import Client
        detail = Client(market.platform["ranking"].app).get("/health/ready").json["checks"]["store"]["detail"]
        assert "being rebuilt" in detail
    finally:
        other.release()
    assert watch.watch().kind == "full"


def test_a_store_flushed_during_a_rebuild_gets_no_epoch(market, watch):
    trade(market)
    fetch = watch.fetch_factory()
    calls = []

    def flushing_fetch(path, params):
        calls.append(path)
        page = fetch(path, params)
        if len(calls) == 1:
            watch.redis.flushdb()  # lost again, lock and all, while the rebuild reads
        return page
    watch.fetch_factory = lambda: flushing_fetch
    with pytest.raises(LostLock):
        watch.watch()
    assert watch.redis.get(EPOCH) is None and not watch.redis.exists(CHECKPOINT)
    watch.fetch_factory = lambda: fetch
    assert watch.watch().kind == "full"
    assert watch.epoch() is not None


def test_the_worker_rebuilds_a_flushed_store_on_its_own(market, watch, client):
    """With the threads running (as in a worker), nobody calls anything: a flush is noticed
    and repaired by the watch job. The client acts at once after each answer."""
    platform = market.platform
    for job in platform["ranking"].periodic:
        if job.name == "ranking-store-watch":
            job.interval = 0.1
    seller, buyer_token, tea = trade(market)   # stepped, before the threads run
    platform.start()
    assert wait_for(lambda: watch.epoch() is not None, 10)
    assert wait_for(lambda: client.get(f"/api/ranking/members/{seller}").status_code == 200, 10)
    score = client.get(f"/api/ranking/members/{seller}").json["score"]

    watch.redis.flushdb()
    assert wait_for(lambda: client.get(f"/api/ranking/members/{seller}").status_code == 200
                    and client.get(f"/api/ranking/members/{seller}").json["score"] == score, 15)
    assert wait_for(lambda: watch.epoch() is not None, 10)
    assert client.get("/health/ranking/ready").json["checks"]["store"]["ok"] is True


def test_a_full_rebuild_after_retention_pruned_the_history_gives_the_same_ranking(market, watch, client, clock):
    """Retention deletes old windowed events (shared/retention.py); a rebuild from sequence 0
    must still give the ranking clients see, since those events no longer count."""
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from shared import retention
    seller, buyer_token, tea = trade(market)
    buyer = client.get("/api/members/me", headers={"Authorization": f"Bearer {buyer_token}"}).json["member_id"]
    market.call("post", "/api/members/me/friend-requests", buyer_token, json={"member_id": seller})
    first = {}
    for producer in ("shop", "order"):
        db = market.platform[producer].db
        with db.reading() as conn:
            first[producer] = conn.execute(select(func.max(db.outbox.c.seq))).scalar_one()
    clock.advance(days=45)
    market.buy(buyer_token, tea, seller)            # one order inside today's window
    market.platform.run_periodic()                  # the window rolled: old days drop out
    market.platform.settle()
    pages = {m: client.get(f"/api/ranking/members/{m}").json for m in (seller, buyer)}
    board = client.get("/api/ranking/influence").json
    assert pages[seller]["score"] > 0

    pruned = 0
    for producer in ("shop", "order"):
        db = market.platform[producer].db
        with db.engine.begin() as conn:            # the first trade's rows were sent 45 days ago
            conn.execute(update(db.outbox).where(db.outbox.c.seq <= first[producer])
                         .values(sent_at=db.outbox.c.sent_at - timedelta(days=45)))
        pruned += retention.prune(db, 7).outbox
        with db.reading() as conn:
            kept = set(conn.execute(select(db.outbox.c.type)).scalars())
        assert not kept & {"shop.visited", "shop.featured.added"}, kept  # old windowed history went
    assert pruned >= 4
    with market.platform["order"].db.reading() as conn:
        outbox = market.platform["order"].db.outbox
        assert conn.execute(select(func.count()).select_from(outbox)     # only today's order is left
                            .where(outbox.c.type == "order.paid")).scalar_one() == 1
    with market.platform["shop"].db.reading() as conn:
        outbox = market.platform["shop"].db.outbox
        assert conn.execute(select(func.count()).select_from(outbox)
                            .where(outbox.c.type == "shop.member.registered")).scalar_one() == 2

    watch.redis.flushdb()
    assert watch.recover("full", watch.fetch_factory()).kind == "full"
    market.platform.settle()
    assert client.get("/api/ranking/influence").json == board
    for member, page in pages.items():
        assert client.get(f"/api/ranking/members/{member}").json == page


def test_a_history_that_does_not_answer_wipes_nothing(market, watch):
    seller, _, _ = trade(market)
    store = market.platform["ranking"].context.store
    before = snapshot(store.redis)

    def down(path, params):
        raise ConnectionError("the order service does not answer")
    watch.fetch_factory = lambda: down
    with pytest.raises(ConnectionError):
        watch.watch()
    assert snapshot(store.redis) == before and watch.epoch() is None
    assert not watch.rebuilding()  # the lock was given back
