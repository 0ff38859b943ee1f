"""The Lua scripts on the real Redis: every order of arrival, with duplicates, ends in the
same keys; unique visitors are counted exactly."""
from __future__ import annotations

from datetime import timedelta
from itertools import permutations

import pytest

from services.ranking.app import build
from services.ranking.handlers import dispatcher
from shared.clock import FixedClock
from tests.conftest import make_config
from tests.support.ranking_events import Events, snapshot

pytestmark = pytest.mark.integration


@pytest.fixture
def ranking(tmp_path, redis_url):
    clock = FixedClock()
    config = make_config(tmp_path / "data", redis_url=redis_url)
    parts = build(config, clock=clock)
    yield parts, clock
    parts.close()


def test_every_order_of_arrival_gives_the_same_keys(ranking):
    parts, clock = ranking
    scorer, client = parts.context.scorer, parts.context.redis
    dispatch = dispatcher(scorer)
    ev = Events(clock)
    later = clock.now() + timedelta(hours=2)
    stream = [ev.paid("o1", "wei", "lin", 40_000), ev.refunded("o1", "wei", "lin", 40_000, at=later),
              ev.paid("o2", "wei", "lin", 7_000),
              ev.privacy("lin", stats="nobody", at=later), ev.privacy("lin", stats="everyone")]
    outcomes = []
    for order in permutations(stream):
        client.flushdb()
        for event in order + order[:2]:           # and the first two again, redelivered
            dispatch(event)
        outcomes.append(snapshot(client))
    assert len(outcomes) == 120
    assert all(outcome == outcomes[0] for outcome in outcomes)
    member = outcomes[0]["rk:{m:lin}:member"][1]
    assert (member["sales_cents"], member["distinct_buyers"], member["score"]) == ("7000", "1", "90")
    assert member["stats_visible_to"] == "nobody"     # the later privacy change wins


def test_unique_visitors_are_exact(ranking):
    parts, clock = ranking
    dispatch = dispatcher(parts.context.scorer)
    ev = Events(clock)
    for i in range(2400):
        dispatch(ev.visited("lin", f"member-{i % 1200}", at=clock.now() - timedelta(days=i % 30)))
    for i in range(300):                             # anonymous browsers earn nothing
        dispatch(ev.visited("lin", f"anon:browser-{i}"))
    standing = parts.context.store.standings(["lin"])["lin"]
    assert standing.breakdown.unique_visitors == 1200
    assert standing.score == 2400
