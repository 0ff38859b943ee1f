"""A month of a small market as events, what the domain says it must come to, and a crew
of competing ranking workers to feed it through.

The events are generated from a seed; `expected` replays them through the domain's plain
ledger (services.ranking.domain.InfluenceLedger), which the Redis state must agree with.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

from services.ranking.app import build
from services.ranking.domain import (
    Breakdown, InfluenceLedger, InfluenceWindow, OrderFacts, counts_as_visitor, is_member_activity,
)
from services.ranking.handlers import subscriptions
from shared.bus import Bus, Consumer, wait_for
from tests.support.ranking_events import Events

SHOPS = [f"shop{i:02d}" for i in range(10)]
BUYERS = [f"buyer{i:02d}" for i in range(25)]


def market_month(clock, seed: int = 7) -> list:
    rng = random.Random(seed)
    ev = Events(clock)
    now = clock.now()

    def when():
        return now - timedelta(days=rng.randrange(0, 34), minutes=rng.randrange(0, 1440))

    out = [ev.registered(m, at=now - timedelta(days=60)) for m in SHOPS + BUYERS[:5]]
    for n in range(160):
        shop, buyer = rng.choice(SHOPS), rng.choice(BUYERS + SHOPS[:2])
        paid_at = when()
        total = rng.randrange(100, 80_000)
        out.append(ev.paid(f"o{n}", buyer, shop, total, at=paid_at))
        if rng.random() < 0.25:   # refunded within the week (sometimes published first)
            out.append(ev.refunded(f"o{n}", buyer, shop, total, at=paid_at + timedelta(days=rng.randrange(0, 7))))
    for _ in range(220):
        shop = rng.choice(SHOPS)
        visitor = rng.choice(BUYERS + SHOPS + [f"anon:key-{i}" for i in range(15)])
        out.append(ev.visited(shop, visitor, at=when()))
    for _ in range(40):
        shop = rng.choice(SHOPS)
        out.append(rng.choice([ev.featured(shop, at=when()), ev.unfeatured(shop, at=when()),
                               ev.unfeatured(shop, reason="delisted", at=when()),
                               ev.updated(shop, f"{shop} renamed", at=when())]))
    for _ in range(25):
        out.append(ev.privacy(rng.choice(SHOPS), stats=rng.choice(["everyone", "friends", "nobody"]),
                              listed=rng.random() < 0.7, at=when()))
    for _ in range(30):
        a, b = rng.sample(SHOPS + BUYERS[:5], 2)
        out.append(rng.choice([ev.befriended, ev.unfriended])(a, b, at=when()))
    return out


def deliveries(events, seed: int) -> list[dict]:
    """The events as a broker might deliver them: shuffled, one in ten twice."""
    rng = random.Random(seed)
    envelopes = [e.to_dict() for e in events]
    envelopes += [e for e in envelopes if rng.random() < 0.1]
    rng.shuffle(envelopes)
    return envelopes


def expected(events, window: InfluenceWindow, now) -> dict[str, Breakdown]:
    """Each shop's breakdown by the domain's own ledger (events in any order, once each)."""
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
        elif is_member_activity(e.type, e.data) and e.data["member_id"] in ledgers:
            ledgers[e.data["member_id"]].record_activity(day)
    return {m: ledger.breakdown(window, now) for m, ledger in ledgers.items()}


def through_workers(workers: int, envelopes: list[dict], config, clock) -> tuple[list, list[int]]:
    """Deliver the envelopes over the config's broker to `workers` competing consumers
    writing to the config's Redis; returns the announcements they published and how many
    events each handled. The Redis state is left for the caller; the queues are deleted."""
    bus = Bus.from_config(config)
    bus.declare({"ranking": subscriptions.event_types, "probe": ["ranking.influence.changed"]})
    heard = []
    probe = Consumer(bus, "probe", ["ranking.influence.changed"], heard.append)
    crew = [build(config, clock=clock) for _ in range(workers)]
    try:
        for parts in crew:
            parts.start_background(periodic=False)
        assert wait_for(lambda: all(p.consumer.attached for p in crew), timeout=20)
        for envelope in envelopes:
            bus.publish(envelope)
        assert wait_for(lambda: sum(p.consumer.handled for p in crew) == len(envelopes), timeout=120)
        handled_by = [p.consumer.handled for p in crew]
    finally:
        for parts in crew:
            parts.close()
    probe.pump()
    bus.delete(["ranking", "probe"])
    bus.close()
    return heard, handled_by


def assert_each_member_last_heard_at_their_final_score(heard: list, state: dict) -> None:
    """Whatever order announcements went out in, each member's newest one carries the score
    the state ends with, and every member who scores was announced."""
    announced = defaultdict(list)
    for event in heard:
        announced[event.data["member_id"]].append(event)
    scores = {key[len("rk:{m:"):-len("}:member")]: int(value[1]["score"])
              for key, value in state.items() if key.endswith("}:member") and "score" in value[1]}
    assert {member for member, score in scores.items() if score > 0} <= set(announced)
    for member_id, events in announced.items():
        newest = max(events, key=lambda e: e.occurred_at)
        # Two workers draining one list may both publish an announcement: then it is the
        # same event (same id), which the shop's inbox drops; never two different ones.
        assert len({e.id for e in events if e.occurred_at == newest.occurred_at}) == 1
        assert newest.data["score"] == scores[member_id]


def assert_shops_stand_where_the_ledger_says(events, state: dict, now) -> None:
    """Each shop's settled standing in the state is its breakdown by the domain's ledger."""
    truth = expected(events, InfluenceWindow(), now)
    for shop in SHOPS:
        member = state[f"rk:{{m:{shop}}}:member"][1]
        want = truth[shop]
        assert (int(member["sales_cents"]), int(member["unique_visitors"]), int(member["distinct_buyers"]),
                int(member["active_days"]), int(member["score"])) == (
            want.sales_cents, want.unique_visitors, want.distinct_buyers, want.active_days, want.score), shop
