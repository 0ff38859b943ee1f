"""The outbox and the consumer on the real RabbitMQ, while the broker goes away and comes back.

The broker is reached through a TCP proxy the test cuts and restores: cut, connections are
refused and the open ones drop, as in a broker restart or a network partition.
"""
import threading
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest

from shared.bus import Bus, wait_for
from tests.support.notes_service import build
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def proxy(amqp_url):
    parts = urlsplit(amqp_url)
    proxy = TcpProxy(parts.hostname, parts.port)
    yield proxy
    proxy.cut()


def proxied(amqp_url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(amqp_url)
    return f"amqp://{parts.username}:{parts.password}@127.0.0.1:{proxy.port}{parts.path or '//'}"


@pytest.fixture
def exchange():
    return f"gwh.test.{uuid.uuid4().hex[:8]}"


def cleanup(bus: Bus, service: str):
    bus.delete([service])


def test_events_written_while_the_broker_refuses_arrive_once_when_it_is_back(amqp_url, postgres_url, proxy, exchange):
    direct = Bus(amqp_url, exchange=exchange)
    through_proxy = Bus(proxied(amqp_url, proxy), exchange=exchange)
    svc = build(postgres_url, direct)  # declares the queue on the real broker
    relay = svc["relay"]
    relay.bus = through_proxy  # the relay alone sees the broker go away
    try:
        ids = svc["emit_visits"](20)
        with pytest.raises(Exception):
            relay.flush()  # refused: nothing is marked sent
        assert relay.pending() == 20
        more = svc["emit_visits"](5)  # the service goes on working meanwhile
        assert relay.pending() == 25

        proxy.open()
        assert relay.flush() == 25
        assert relay.pending() == 0
        assert wait_for(lambda: (svc["consumer"].pump() or True) and svc["count"]() >= 25, 15)
        received = svc["recorded"]()
        assert Counter(received) == Counter(ids + more)  # every event, each exactly once
        assert direct.queue_depth("notes", ["shop.visited"])[0] == 0
    finally:
        cleanup(direct, "notes")
        direct.close()
        through_proxy.close()
        svc["db"].dispose()


def test_relay_and_consumer_threads_ride_out_a_broker_outage(amqp_url, postgres_url, proxy, exchange):
    proxy.open()
    bus = Bus(proxied(amqp_url, proxy), exchange=exchange, heartbeat=4)
    svc = build(postgres_url, bus)
    svc["relay"].interval = 0.05
    threads = [threading.Thread(target=svc["consumer"].run, daemon=True),
               threading.Thread(target=svc["relay"].run, daemon=True)]
    for t in threads:
        t.start()
    try:
        assert wait_for(lambda: svc["consumer"].attached, 10)
        first = svc["emit_visits"](10)
        assert wait_for(lambda: svc["count"]() == 10, 15)

        proxy.cut()  # the broker goes away: open connections drop, new ones are refused
        assert wait_for(lambda: not svc["consumer"].attached, 15)
        during = svc["emit_visits"](10)  # written while it is gone: they wait in the outbox
        assert wait_for(lambda: svc["relay"].last_error is not None, 15)
        assert svc["count"]() == 10

        proxy.open()  # it comes back
        assert wait_for(lambda: svc["count"]() == 20, 40), svc["relay"].last_error
        assert Counter(svc["recorded"]()) == Counter(first + during)
        # A batch is marked sent once its confirms are in, and a consumer may apply its
        # events before that (RabbitMQ confirms a persistent message once it is on disk).
        assert wait_for(lambda: svc["relay"].pending() == 0, 15)
    finally:
        svc["consumer"].stop()
        svc["relay"].stop()
        for t in threads:
            t.join(10)
        cleanup(Bus(amqp_url, exchange=exchange), "notes")
        bus.close()
        svc["db"].dispose()


def test_quorum_queues_carry_events(amqp_url, tmp_path, exchange):
    from shared.config import Config
    bus = Bus.from_config(Config(bus_url=amqp_url, exchange=exchange, queue_type="quorum"))
    svc = build(f"sqlite:///{tmp_path / 'q.db'}", bus)
    try:
        ids = svc["emit_visits"](5)
        svc["relay"].flush()
        assert wait_for(lambda: (svc["consumer"].pump() or True) and svc["count"]() == 5, 15)
        assert svc["recorded"]() == ids
        # A quorum queue refuses a redeclaration as classic: proof of what was declared.
        import amqp
        with pytest.raises(amqp.exceptions.PreconditionFailed):
            Bus(amqp_url, exchange=exchange).declare({"notes": ["shop.visited"]})
    finally:
        cleanup(bus, "notes")
        bus.close()
        svc["db"].dispose()
