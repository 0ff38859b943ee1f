"""The contract between the Lua scripts (services/ranking/scripts.py) and the domain's rules.

The store counts in Redis, in Lua, for speed and for atomicity; the rules are stated once,
in Python, in services/ranking/domain/. This test holds the one to the other on the
embedded Redis: a month of a small market, delivered shuffled and with duplicates through
the ranking's handlers and use cases, must end in every shop's breakdown as the domain's
plain ledger (`InfluenceLedger`) computes it, with the score, tier and slots the formula
and the tiers give; and SETTLE must announce exactly when `influence_changed` says.
Change a rule on one side only, and this fails.
"""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from shared.clock import FixedClock

from services.ranking import store as ranking_store
from services.ranking.announcements import Announcer
from services.ranking.domain import (
    Breakdown, Influence, InfluenceLedger, InfluenceWindow, NewStanding, OrderFacts, counts_as_visitor,
    influence_changed, is_member_activity, tier_for,
)
from services.ranking.handlers import batch_dispatcher, dispatcher
from services.ranking.usecases import Scorer
from tests.conftest import make_config
from tests.support.ranking_events import Events

SHOPS = [f"shop{i}" for i in range(5)]
BUYERS = [f"buyer{i}" for i in range(12)]


class Bus:
    def __init__(self):
        self.published = []

    def publish(self, envelope):
        self.published.append(envelope)


@pytest.fixture
def scorer(tmp_path):
    client, close = ranking_store.connect(make_config(tmp_path / "data"))
    store = ranking_store.RankingStore(client)
    yield Scorer(store, InfluenceWindow("Asia/Shanghai"), FixedClock(), Announcer(store, Bus()))
    close()


def a_month(clock, seed):
    rng = random.Random(seed)
    ev, now = Events(clock), clock.now()

    def when():
        return now - timedelta(days=rng.randrange(0, 34), minutes=rng.randrange(0, 1440))

    out = [ev.registered(m, at=now - timedelta(days=60)) for m in SHOPS]
    for n in range(60):
        shop, buyer, paid_at, total = rng.choice(SHOPS), rng.choice(BUYERS + SHOPS[:1]), when(), rng.randrange(100, 90_000)
        out.append(ev.paid(f"o{n}", buyer, shop, total, at=paid_at))
        if rng.random() < 0.3:
            out.append(ev.refunded(f"o{n}", buyer, shop, total, at=paid_at + timedelta(days=rng.randrange(0, 5))))
    for _ in range(80):
        out.append(ev.visited(rng.choice(SHOPS), rng.choice(BUYERS + SHOPS + ["anon:k1", "anon:k2"]), at=when()))
    for _ in range(20):
        shop = rng.choice(SHOPS)
        out.append(rng.choice([ev.featured(shop, at=when()), ev.unfeatured(shop, at=when()),
                               ev.unfeatured(shop, reason="delisted", at=when()),
                               ev.updated(shop, f"{shop}!", at=when())]))
    return out


def by_the_ledger(events, window, now) -> dict[str, Breakdown]:
    ledgers = {m: InfluenceLedger(m) for m in SHOPS}
    for e in events:
        moment = min(e.occurred_at, now)
        day = window.day_of(moment)
        if not window.contains(day, now):
            continue
        if e.type in ("order.paid", "order.refunded"):
            facts = OrderFacts.from_event(e.type, e.data, moment, window)
            if facts.through_someone_elses_shop:
                ledgers[facts.shop_id].record_order(facts)
        elif e.type == "shop.visited" and counts_as_visitor(e.data["shop_id"], e.data["visitor"]):
            ledgers[e.data["shop_id"]].record_visit(e.data["visitor"], day)
        elif is_member_activity(e.type, e.data):
            ledgers[e.data["member_id"]].record_activity(day)
    return {m: ledger.breakdown(window, now) for m, ledger in ledgers.items()}


@pytest.mark.parametrize("seed,batched", [(1, False), (2, True), (3, True)])
def test_the_scripts_count_what_the_domains_ledger_counts(scorer, seed, batched):
    month = a_month(scorer.clock, seed)
    rng = random.Random(seed)
    deliveries = month + [e for e in month if rng.random() < 0.15]   # some twice
    rng.shuffle(deliveries)
    if batched:
        dispatch_batch = batch_dispatcher(scorer)
        for start in range(0, len(deliveries), 16):
            dispatch_batch(deliveries[start:start + 16])
    else:
        dispatch = dispatcher(scorer)
        for event in deliveries:
            dispatch(event)
    truth = by_the_ledger(month, scorer.window, scorer.clock.now())
    assert any(b.score for b in truth.values())
    stored = scorer.store.standings(SHOPS)
    for shop in SHOPS:
        assert stored[shop].breakdown == truth[shop], shop
        influence = Influence(shop, truth[shop])
        assert stored[shop].score == influence.score
        member = {k.decode(): v.decode() for k, v in scorer.store.redis.hgetall(f"rk:{{m:{shop}}}:member").items()}
        assert (int(member["tier"]), int(member["slots"])) == (influence.tier.level, influence.tier.slots)


@pytest.mark.parametrize("scores", [[0, 0, 5], [5, 5, 0], [1000, 1000, 999, 999, 3000], [0, 12000, 12000]])
def test_settle_announces_exactly_when_the_domain_says_the_influence_changed(scorer, scores):
    before = None
    for version, score in enumerate(scores, start=1):
        standing = NewStanding.settle("lin", version, Breakdown(sales_cents=score * 100), True, None, scorer.window)
        waiting = scorer.store.settle_and_place([standing])["lin"]
        assert bool(waiting) == influence_changed(before, score), (before, score)
        if waiting:
            [entry] = waiting
            assert (entry["score"], entry["tier"], entry["slots"]) == (score, tier_for(score).level,
                                                                      tier_for(score).slots)
            scorer.store.announced({"lin": [entry["id"]]})
        before = score
