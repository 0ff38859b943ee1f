"""Redis goes away mid-stream and comes back: the ranking workers lose nothing.

Two competing workers consume a month of events from the real RabbitMQ and write to the
real Redis through a TCP proxy. Mid-stream the proxy is cut (open connections drop, new
ones are refused, a script's reply may be lost after the script ran), publishing goes on,
and after a while the proxy opens again. The same workers, never restarted, must then
finish the stream: every event applied exactly once (the keys equal those of the same
events applied with no outage, and the domain's ledger), nothing dead-lettered, and every
member's last announcement carrying their final score.
"""
from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

import pytest
import redis

from services.ranking.app import build
from services.ranking.handlers import dispatcher, subscriptions
from shared.bus import Bus, Consumer, wait_for
from shared.clock import FixedClock
from tests.conftest import make_config
from tests.integration.ranking.scenario import (
    assert_each_member_last_heard_at_their_final_score, assert_shops_stand_where_the_ledger_says, deliveries,
    market_month,
)
from tests.support.tcp_proxy import TcpProxy
from tests.support.ranking_events import snapshot

pytestmark = pytest.mark.integration

WORKERS = 2
OUTAGE_SECONDS = 2.0


@pytest.fixture
def proxy(redis_url):
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname, parts.port).open()
    yield proxy
    proxy.cut()


def through(proxy: TcpProxy, redis_url: str) -> str:
    return f"redis://127.0.0.1:{proxy.port}{urlsplit(redis_url).path}"


def test_a_redis_outage_mid_stream_loses_nothing_and_applies_nothing_twice(
        tmp_path, amqp_url, redis_url, proxy, caplog):
    clock = FixedClock()
    month = market_month(clock)
    stream = deliveries(month, seed=3)
    config = make_config(tmp_path / "data", bus_url=amqp_url, redis_url=through(proxy, redis_url))
    bus = Bus.from_config(config)
    bus.declare({"ranking": subscriptions.event_types, "probe": ["ranking.influence.changed"]})
    heard = []
    probe = Consumer(bus, "probe", ["ranking.influence.changed"], heard.append)
    crew = [build(config, clock=clock) for _ in range(WORKERS)]
    handled = lambda: sum(p.consumer.handled for p in crew)  # noqa: E731
    try:
        for parts in crew:
            parts.start_background(periodic=False)
        assert wait_for(lambda: all(p.consumer.attached for p in crew), timeout=20)

        before, during = stream[:len(stream) // 3], stream[len(stream) // 3:]
        with caplog.at_level(logging.WARNING, logger="gwh.bus"):
            for envelope in before:
                bus.publish(envelope)
            # Cut while the workers are busy, so scripts are in flight when connections drop.
            assert wait_for(lambda: handled() >= len(before) // 3, timeout=30)
            proxy.cut()
            for envelope in during:
                bus.publish(envelope)
            time.sleep(OUTAGE_SECONDS)
            waiting, attached = bus.queue_depth("ranking", subscriptions.event_types)
            # The outage was felt: the stream is held back, handlers failed on Redis and
            # put their events back; and the workers are still there, on the broker.
            assert waiting > len(during) // 2
            assert attached == WORKERS
            assert any("waits for its store" in r.getMessage() for r in caplog.records)

            proxy.open()
            assert wait_for(lambda: handled() == len(stream), timeout=60), (handled(), len(stream))
        handled_by = [p.consumer.handled for p in crew]
        dead_lettered = [p.consumer.dead_lettered for p in crew]
        dead_waiting, _ = bus.queue_depth("ranking", [], dead=True)
        left_waiting, _ = bus.queue_depth("ranking", subscriptions.event_types)
    finally:
        for parts in crew:
            parts.close()
    probe.pump()
    bus.delete(["ranking", "probe"])
    bus.close()

    assert dead_lettered == [0] * WORKERS and dead_waiting == 0
    assert left_waiting == 0
    assert sum(handled_by) == len(stream)

    direct = redis.Redis.from_url(redis_url)
    after_outage = snapshot(direct)
    assert len(after_outage) > 100

    # The shops' standings are what the domain's plain ledger says of the month.
    assert_shops_stand_where_the_ledger_says(month, after_outage, clock.now())

    # Key by key, the state is that of the same events applied once each with no outage:
    # a version counts applied events, so an event applied twice would show.
    direct.flushdb()
    calm = build(make_config(tmp_path / "calm", redis_url=redis_url), bus=Bus("memory://"), clock=clock)
    try:
        apply = dispatcher(calm.context.scorer)
        for event in month:
            apply(event)
    finally:
        calm.close()
    assert snapshot(direct) == after_outage
    direct.close()

    # Every change was announced, whatever the outage interrupted.
    assert_each_member_last_heard_at_their_final_score(heard, after_outage)
