"""The ranking on a real Redis Cluster: three local masters, the slots split between them.

The keys one script touches share a hash tag (`{m:<member>}`, `{board}`), and everything
that reads or deletes across members goes key by key (pipelines, SCAN on every node), so
the same code must give, on the cluster, exactly what it gives on one Redis: the same keys,
the same boards and member pages, and a rebuild that wipes and replays across every node.
A master that reports the cluster down holds events back; it never dead-letters them.
"""
from __future__ import annotations

import logging
import time

import pytest
import redis
from flask import Response
from redis.cluster import RedisCluster
from werkzeug.test import Client

from services.ranking.app import build
from services.ranking.handlers import dispatcher, subscriptions
from services.ranking.rebuild import rebuild
from shared.bus import Bus, wait_for
from shared.clock import FixedClock
from tests.conftest import bearer, make_config
from tests.integration.ranking.scenario import (
    BUYERS, SHOPS, assert_each_member_last_heard_at_their_final_score, assert_shops_stand_where_the_ledger_says,
    deliveries, market_month, through_workers,
)
from tests.support.redis_servers import start_cluster
from tests.support.ranking_events import Events, snapshot

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    local = start_cluster(tmp_path_factory.mktemp("redis-cluster"), masters=3)
    yield local
    local.stop()


@pytest.fixture
def cluster_client(cluster):
    client = RedisCluster.from_url(cluster.url)
    client.flushdb()              # on every master
    yield client
    client.flushdb()
    client.close()


def what_members_see(config, clock) -> dict:
    """Every ranking page of the month's members, as the API answers them."""
    parts = build(config, clock=clock)
    try:
        api = Client(parts.app, Response)
        pages = {"board": api.get("/api/ranking/influence").json}
        for member in SHOPS + BUYERS[:5]:
            pages[f"{member} anonymously"] = api.get(f"/api/ranking/members/{member}").json
            pages[f"{member} to itself"] = api.get(f"/api/ranking/members/{member}", headers=bearer(member)).json
            pages[f"{member}'s friends"] = api.get("/api/ranking/friends", headers=bearer(member)).json
            pages[f"{member}'s community"] = api.get("/api/ranking/community", headers=bearer(member)).json
        return pages
    finally:
        parts.close()


def test_competing_workers_on_the_cluster_end_where_one_redis_ends(
        tmp_path, amqp_url, redis_url, cluster, cluster_client):
    clock = FixedClock()
    month = market_month(clock)
    single = make_config(tmp_path / "single", bus_url=amqp_url, redis_url=redis_url)
    clustered = make_config(tmp_path / "cluster", bus_url=amqp_url, redis_url=cluster.url, redis_cluster=True)

    # On one Redis, straight through the handlers; on the cluster, over the broker.
    reference = build(single, bus=Bus("memory://"), clock=clock)
    try:
        apply = dispatcher(reference.context.scorer)
        for event in month:
            apply(event)
    finally:
        reference.close()
    heard, handled_by = through_workers(4, deliveries(month, seed=2), clustered, clock)
    assert sum(1 for n in handled_by if n > 0) > 1, "the four workers did not share the queue"

    with redis.Redis.from_url(redis_url) as one_redis:
        on_one_redis = snapshot(one_redis)
    on_the_cluster = snapshot(cluster_client)
    assert len(on_the_cluster) > 100
    assert on_the_cluster == on_one_redis
    assert_shops_stand_where_the_ledger_says(month, on_the_cluster, clock.now())
    assert_each_member_last_heard_at_their_final_score(heard, on_the_cluster)

    # The keys really are spread: members' records sit on more than one master.
    spread = cluster.keys_by_node("rk:*")
    assert sum(spread.values()) == len(on_the_cluster) + 1  # and the board's revision, left out
    assert sum(1 for count in spread.values() if count > 0) > 1, spread

    # The API reads across members (boards, friends, community) answer alike.
    pages = what_members_see(clustered, clock)
    assert pages == what_members_see(single, clock)
    assert len(pages["board"]["items"]) >= 5


def test_a_rebuild_on_the_cluster_gives_the_same_keys_back(tmp_path, cluster, cluster_client):
    clock = FixedClock()
    month = market_month(clock)
    config = make_config(tmp_path / "data", redis_url=cluster.url, redis_cluster=True)
    parts = build(config, clock=clock)
    try:
        scorer = parts.context.scorer
        apply = dispatcher(scorer)
        for event in month:
            apply(event)
        before = snapshot(cluster_client)
        board = parts.context.boards.influence(300)

        report = rebuild(scorer, (event.to_dict() for event in month))

        # Found and deleted on every node: every key of the snapshot, and the board's revision.
        assert report.deleted_keys == len(before) + 1
        assert report.replayed == len(month)
        assert report.announced == len([key for key in before if key.endswith("}:member")])
        assert snapshot(cluster_client) == before
        assert parts.context.boards.influence(300) == board
    finally:
        parts.close()


def test_while_a_master_reports_the_cluster_down_events_wait_and_none_is_dead_lettered(
        tmp_path, cluster, cluster_client, caplog):
    clock = FixedClock()
    ev = Events(clock)
    # One failure that is the event's fault dead-letters it at once: any dead letter here
    # would mean the outage was taken for the events' fault.
    config = make_config(tmp_path / "data", redis_url=cluster.url, redis_cluster=True, max_attempts=1)
    bus = Bus.from_config(config)
    bus.declare({"ranking": subscriptions.event_types})
    parts = build(config, bus=bus, clock=clock)
    # The master holding the board: every event ends in placing a standing there.
    board_slot = cluster_client.keyslot("rk:{board}:public")
    board_port = cluster_client.get_node_from_key("rk:{board}:public").port
    master = next(server.client() for server in cluster.masters if server.port == board_port)
    visits = [ev.visited(shop, f"visitor-{n}") for n in range(3) for shop in SHOPS]
    try:
        # Unassign one slot of it: with full coverage required, the master refuses every
        # query with CLUSTERDOWN until the slot is back (as while a master is failed over).
        master.execute_command("CLUSTER", "DELSLOTS", board_slot)
        assert wait_for(lambda: master.cluster("INFO")["cluster_state"] == "fail", timeout=10)
        parts.start_background(periodic=False)
        with caplog.at_level(logging.WARNING, logger="gwh.bus"):
            for event in visits:
                bus.publish(event.to_dict())
            time.sleep(1.5)
            assert parts.consumer.handled == 0
            assert parts.consumer.dead_lettered == 0
            assert any("waits for its store" in r.getMessage() for r in caplog.records)

        master.execute_command("CLUSTER", "ADDSLOTS", board_slot)
        assert wait_for(lambda: parts.consumer.handled == len(visits), timeout=30), parts.consumer.handled
        assert parts.consumer.dead_lettered == 0
        assert bus.queue_depth("ranking", [], dead=True)[0] == 0
        standings = parts.context.store.standings(SHOPS)
        assert {shop: s.breakdown.unique_visitors for shop, s in standings.items()} == {shop: 3 for shop in SHOPS}
    finally:
        if master.cluster("INFO")["cluster_state"] != "ok":
            master.execute_command("CLUSTER", "ADDSLOTS", board_slot)
        master.close()
        parts.close()
        bus.close()


def test_the_shops_visit_limits_count_on_the_cluster(tmp_path, cluster, cluster_client):
    """GWH_REDIS_CLUSTER=1: the shop's rate-limit counters live on the cluster too."""
    from services.shop.app import build as build_shop
    from tests.support.shop_world import FAST
    config = make_config(tmp_path / "data", redis_url=cluster.url, redis_cluster=True,
                         visit_limit_per_address="3/minute")
    parts = build_shop(config, clock=FixedClock(), passwords=FAST)
    try:
        api = Client(parts.app, Response)
        owner = api.post("/api/auth/register", json={"username": "owner", "password": "correct horse",
                                                      "nickname": "Owner"}).json["member_id"]
        answers = [api.post(f"/api/shops/{owner}/visits", json={"visitor_key": "browser-0001"}).status_code
                   for _ in range(4)]
        assert answers == [202, 202, 202, 429]
        assert any(b"visits-per-address" in key for key in cluster_client.scan_iter(count=1000))
    finally:
        parts.close()
