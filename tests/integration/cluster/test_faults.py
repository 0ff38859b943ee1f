"""Faults against `make cluster` (deploy/cluster) on private servers, under a stream of purchases.

Each test: a shop features a product, a few buyers (threads) place and pay orders through
it as clients do (a refused connection or a 5xx is retried with the same Idempotency-Key),
a fault is injected mid-stream, and then everything must agree exactly: every order paid
once, the commission ledger, the catalog stock and the ranking's sales match the paid
orders, the outboxes are drained and the queues and dead-letter queues empty. Every
process and server is left running as the test found it.

The cluster and its PostgreSQL, RabbitMQ and Redis are the session's (tests/support/
gateways.py): the machine's shared servers are never touched.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import psycopg
import pytest

from shared.bus import Bus
from shared.config import RELATIONAL_SERVICES
from runtime.topology import subscribers
from tests.support.cluster import EXCHANGE, eventually
from tests.support.shopping import call, feature, new_product, pay, place_order, register

BUYERS = 3
ORDERS_PER_BUYER = 4
STOCK = 500
PROBLEM = "application/problem+json"


class Stream:
    """Buyers placing and paying orders through one shop, in threads, bounded."""

    def __init__(self, gw, *, buyers: int = BUYERS, orders_per_buyer: int = ORDERS_PER_BUYER):
        self.gw = gw
        self.product = new_product(gw, stock=STOCK, list_price=12000, exclusive_price=10000, rate_bp=1000)
        self.owner_id, self.owner = register(gw, "owner")
        feature(gw, self.owner, self.product["id"])
        self.buyers = [register(gw, "buyer") for _ in range(buyers)]
        self.orders_per_buyer = orders_per_buyer
        self.extra = 0  # orders the test placed itself, beside the threads'
        self.paid: list[dict] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> "Stream":
        for buyer_id, token in self.buyers:
            thread = threading.Thread(target=self._buy, args=(token,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _buy(self, token: str) -> None:
        try:
            for _ in range(self.orders_per_buyer):
                order = place_order(self.gw, token, self.product["id"], 1, shop_id=self.owner_id,
                                    key=uuid.uuid4().hex)
                assert order["status"] == "awaiting_payment", order
                paid = pay(self.gw, token, order["id"])
                with self._lock:
                    self.paid.append(paid)
        except BaseException as exc:  # reported by finish()
            self.errors.append(exc)

    def record(self, paid: dict) -> None:
        with self._lock:
            self.paid.append(paid)
            self.extra += 1

    def wait_for_paid(self, count: int, timeout: float = 60) -> None:
        eventually(lambda: len(self.paid) >= count or self.errors, timeout, 0.05, f"{count} orders paid")

    def finish(self, timeout: float = 180) -> list[dict]:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self._threads), "the buyers did not finish in time"
        if self.errors:
            raise self.errors[0]
        assert len(self.paid) == len(self.buyers) * self.orders_per_buyer + self.extra
        return self.paid


def _outbox_backlog(servers) -> dict[str, int]:
    backlog = {}
    for service in RELATIONAL_SERVICES:
        with psycopg.connect(f"{servers.postgres.url}/gwh_{service}", connect_timeout=5) as conn:
            backlog[service] = conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
    return backlog


def _queues(servers) -> dict[str, tuple[int, int]]:
    """(ready messages, dead letters) per consuming service."""
    bus = Bus(servers.rabbit.url, exchange=EXCHANGE)
    try:
        return {service: (bus.queue_depth(service, types)[0], bus.queue_depth(service, types, dead=True)[0])
                for service, types in subscribers().items()}
    finally:
        bus.close()


def assert_everything_agrees(cut, stream: Stream, *, dead_letters: dict[str, int] | None = None) -> None:
    gw = stream.gw
    paid = stream.finish()
    # Each order once: the buyers' own lists hold exactly the orders they were answered.
    listed = set()
    for _, token in stream.buyers:
        items = call(gw, "GET", "/api/orders?per_page=100", token=token).json()["items"]
        listed |= {item["id"] for item in items}
    assert listed == {order["id"] for order in paid}
    for order in paid:
        again = call(gw, "GET", f"/api/orders/{order['id']}", token=dict(stream.buyers)[order["buyer_id"]]).json()
        assert again["status"] == "paid"
    units = sum(item["quantity"] for order in paid for item in order["items"])
    sales = sum(order["total_cents"] for order in paid)
    commission = sum(order["commission_cents"] for order in paid)
    # The shop decides attribution in the saga: every order, the first one included, is priced
    # as featured, however soon after the featuring it was placed.
    assert all(order["total_cents"] == stream.product["exclusive_price_cents"] * sum(
        item["quantity"] for item in order["items"]) and order["commission_cents"] > 0 for order in paid), paid

    eventually(lambda: call(gw, "GET", f"/api/catalog/products/{stream.product['id']}").json()["stock"]
               == STOCK - units, 30, 0.1, f"the stock at {STOCK - units}")
    ledger = call(gw, "GET", "/api/commissions/me", token=stream.owner).json()
    assert ledger["pending_cents"] == commission
    assert sorted(item["order_id"] for item in ledger["items"]) == sorted(
        order["id"] for order in paid if order["commission_cents"])

    def ranking_sales():
        return _ranking_sales(stream)
    eventually(lambda: ranking_sales() == sales, 30, 0.2, f"the ranking's sales reaching {sales}")

    eventually(lambda: not any(_outbox_backlog(cut.servers).values()), 30, 0.2, "every outbox drained")
    expected_dead = dead_letters or {}
    eventually(lambda: {s: (ready, dead) for s, (ready, dead) in _queues(cut.servers).items()}
               == {s: (0, expected_dead.get(s, 0)) for s in subscribers()}, 30, 0.2,
               "every queue drained and the dead-letter queues as expected")
    time.sleep(0.5)  # nothing late: the ranking still says the same
    standing = call(gw, "GET", f"/api/ranking/members/{stream.owner_id}", token=stream.owner).json()
    assert standing["stats"]["sales_cents_30d"] == sales
    assert standing["breakdown"]["distinct_buyers"] == len(stream.buyers)


def _ranking_sales(stream: Stream) -> int | None:
    answer = call(stream.gw, "GET", f"/api/ranking/members/{stream.owner_id}", token=stream.owner)
    # While the ranking rebuilds a flushed Redis, the owner is a member it asks the shop
    # about: 200, score 0 and no stats yet. That is "not yet", like a 404.
    if answer.status_code != 200 or "stats" not in answer.json():
        return None
    return answer.json()["stats"]["sales_cents_30d"]


@pytest.fixture
def cut(cluster_under_test):
    """The session's cluster; afterwards every process is back and /health is green."""
    yield cluster_under_test
    cluster = cluster_under_test.cluster
    eventually(lambda: "RUNNING" in cluster.status() and all(
        line.split()[1] == "RUNNING" for line in cluster.status().strip().splitlines()), 60, 0.5,
        "every process of the cluster running again")
    cluster.wait_ready(60)


def _kill(cluster, process: str) -> int:
    pid = cluster.pid(process)
    assert pid > 0, cluster.status()
    os.kill(pid, signal.SIGKILL)
    # supervisord restarts it, as Kubernetes or compose would: a new process takes over.
    eventually(lambda: cluster.pid(process) not in (0, pid), 30, 0.2, f"{process} restarted")
    return pid


def test_a_ranking_worker_killed_mid_stream_loses_and_doubles_nothing(cut):
    stream = Stream(cut.gateway).start()
    stream.wait_for_paid(3)
    _kill(cut.cluster, "ranking-worker:ranking-worker-0")
    assert_everything_agrees(cut, stream)


def test_the_order_worker_killed_mid_stream_loses_and_doubles_nothing(cut):
    stream = Stream(cut.gateway).start()
    stream.wait_for_paid(3)
    _kill(cut.cluster, "order-worker")
    assert_everything_agrees(cut, stream)


def test_rabbitmq_stopped_and_started_mid_stream(cut):
    stream = Stream(cut.gateway).start()
    stream.wait_for_paid(3)
    cut.servers.rabbit.stop_app()
    try:
        time.sleep(3)  # orders keep being placed: their events wait in the outboxes
    finally:
        cut.servers.rabbit.start_app()
    assert_everything_agrees(cut, stream)


def test_postgresql_restarted_mid_stream(cut):
    stream = Stream(cut.gateway).start()
    stream.wait_for_paid(3)
    cut.servers.postgres.restart()
    assert_everything_agrees(cut, stream)


def test_redis_flushed_mid_stream_is_rebuilt_on_its_own(cut):
    stream = Stream(cut.gateway).start()
    stream.wait_for_paid(3)
    # Flush only once the ranking holds sales of this stream, so the flush loses something.
    eventually(lambda: (_ranking_sales(stream) or 0) > 0, 30, 0.1, "the first sales reaching the ranking")
    client = cut.servers.redis.client()
    try:
        client.flushdb()
        assert_everything_agrees(cut, stream)
    finally:
        client.close()
        _rebuild_ranking(cut)  # whatever happened, leave the ranking whole for the next test


def _rebuild_ranking(cut) -> None:
    env = {**os.environ, **cut.cluster.environment(cut.cluster.ports())}
    subprocess.run([sys.executable, "-m", "services.ranking.app", "rebuild"], env=env, check=True,
                   capture_output=True, timeout=120)


def test_an_api_killed_mid_stream_answers_503_problem_json_then_comes_back(cut):
    stream = Stream(cut.gateway).start()
    stream.wait_for_paid(3)
    _, token = stream.buyers[0]
    pid = cut.cluster.pid("order-api")
    os.killpg(pid, signal.SIGKILL)  # the gunicorn master and its workers at once
    answers = []

    def unavailable():
        answer = cut.gateway.get("/api/orders", token=token)
        answers.append(answer)
        return answer.status_code == 503

    eventually(unavailable, 10, 0.02, "the gateway answering 503 while the order API is down")
    answer = answers[-1]
    assert answer.headers["Content-Type"] == PROBLEM
    assert answer.json()["status"] == 503
    # A client's order during the outage: refused, then retried with the same key until the
    # API is back; the retries make one order, and one more retry finds the same.
    key = uuid.uuid4().hex
    body = {"items": [{"product_id": stream.product["id"], "quantity": 1}], "shop_id": stream.owner_id}
    first = cut.gateway.post("/api/orders", token=token, json=body, headers={"Idempotency-Key": key})
    order = place_order(cut.gateway, token, stream.product["id"], 1, shop_id=stream.owner_id, key=key)
    again = call(cut.gateway, "POST", "/api/orders", token=token, json=body, headers={"Idempotency-Key": key})
    assert again.status_code in (201, 202) and again.json()["id"] == order["id"]
    stream.record(pay(cut.gateway, token, order["id"]))
    eventually(lambda: cut.cluster.pid("order-api") not in (0, pid), 30, 0.2, "order-api restarted")
    assert_everything_agrees(cut, stream)
    assert first.status_code in (503, 201, 202)  # 503 unless the API was already back


def test_the_gateways_503_says_when_to_retry(cut):
    pid = cut.cluster.pid("ranking-api")
    os.killpg(pid, signal.SIGKILL)
    try:
        # A list, not the Response itself: a requests.Response of a 503 is falsy.
        answer, = eventually(lambda: (lambda a: [a] if a.status_code == 503 else None)(
            cut.gateway.get("/api/ranking/influence")), 10, 0.02, "a 503 from the gateway")
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert answer.json()["retry_after"] == int(answer.headers["Retry-After"])
        assert answer.headers.get("Retry-After", "").isdigit(), dict(answer.headers)
    finally:
        eventually(lambda: cut.cluster.pid("ranking-api") not in (0, pid), 30, 0.2, "ranking-api restarted")


def test_a_poison_message_is_dead_lettered_and_the_queue_keeps_flowing(cut):
    poison = {"id": uuid.uuid4().hex, "type": "order.paid", "version": 1, "occurred_at": "2026-01-01T00:00:00Z",
              "producer": "order", "correlation_id": None, "data": {"order_id": 42}}
    consumers = [service for service, types in subscribers().items() if "order.paid" in types]
    bus = Bus(cut.servers.rabbit.url, exchange=EXCHANGE)
    try:
        stream = Stream(cut.gateway).start()
        bus.publish(poison)
        assert_everything_agrees(cut, stream, dead_letters={service: 1 for service in consumers})
        for service in consumers:
            [dead] = _drain_dead_letters(bus, service)
            assert dead["id"] == poison["id"]
    finally:
        for service in consumers:
            _drain_dead_letters(bus, service)  # leave the dead-letter queues empty, as found
        bus.close()


def _drain_dead_letters(bus: Bus, service: str) -> list[dict]:
    bodies = []
    with bus.connect() as conn:
        queue = bus.dead_letter_queue(service)(conn.channel())
        while (message := queue.get(no_ack=False)) is not None:
            body = message.body
            bodies.append(json.loads(body) if isinstance(body, (bytes, str)) else body)
            message.ack()
    return bodies
