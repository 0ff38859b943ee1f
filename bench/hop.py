"""One hop between services in the cluster mode: from the commit of an event in one
service to its effect committed by the next, on RabbitMQ and PostgreSQL.

The two sides are what two processes have: the producing "API" side commits events on its
own Database object (no relay of its own), the "worker" side on another Database object
on the same PostgreSQL database runs the relay (woken by LISTEN/NOTIFY, polling every
0.5 s otherwise) and the consumer, whose handler records each visit in its transaction.
One event at a time, at rest and then while another API commits 50 events/s: the time
from just before the commit to the end of the handler's transaction. The baseline is the
bare broker hop: a kombu publish with publisher confirms to a consumer's callback on the
same broker.
"""
from __future__ import annotations

import statistics
import threading
import time
import uuid

from shared.bus import Bus, wait_for

from bench.stock import fresh_postgres

WAIT = 10.0
# The load beside the measured hops: 5 events every 100 ms, 50 events/s.
LOAD_BATCH = 5
LOAD_PAUSE = 0.1


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def hop_latencies(amqp_url: str, postgres_url: str, hops: int) -> tuple[list[float], list[float], list[float]]:
    """(bare broker hops, Gouwuhao hops at rest, Gouwuhao hops under load), in ms. Under
    load, another "API" commits LOAD_BATCH events every LOAD_PAUSE seconds meanwhile."""
    from tests.support.notes_service import build
    bus = Bus(amqp_url, exchange=f"gwh.bench.{uuid.uuid4().hex[:6]}")
    with fresh_postgres(postgres_url) as db_url:
        api = build(db_url, bus, service="hopbench")
        loader = build(db_url, bus, service="hopbench")
        worker = build(db_url, bus, service="hopbench")
        worker["relay"].interval = 0.5  # the default poll: what a hop waited for before
        arrivals: dict[str, float] = {}
        arrived = threading.Condition()
        inner = worker["consumer"].dispatch

        def dispatch(event):
            inner(event)
            with arrived:
                arrivals[event.data["visit_id"]] = time.perf_counter()
                arrived.notify_all()

        worker["consumer"].dispatch = dispatch
        # Under load the consumer applies what it already has as one batch (shared/inbox.py).
        inner_batch = worker["consumer"].dispatch_batch

        def dispatch_batch(events):
            inner_batch(events)
            done = time.perf_counter()
            with arrived:
                for event in events:
                    arrivals[event.data["visit_id"]] = done
                arrived.notify_all()

        worker["consumer"].dispatch_batch = dispatch_batch
        threads = [threading.Thread(target=worker["consumer"].run, daemon=True),
                   threading.Thread(target=worker["relay"].run, daemon=True)]
        for thread in threads:
            thread.start()

        def one_hop() -> float:
            began = time.perf_counter()
            [visit_id] = api["emit_visits"](1)
            with arrived:
                if not arrived.wait_for(lambda: visit_id in arrivals, WAIT):
                    raise TimeoutError(f"an event did not arrive within {WAIT:.0f} s")
                return (arrivals.pop(visit_id) - began) * 1000

        try:
            wait_for(lambda: worker["consumer"].attached and worker["relay"].listening, 30)
            # On an exchange of its own: the worker must not see the bare hops' messages.
            raw_bus = Bus(amqp_url, exchange=f"gwh.bench.{uuid.uuid4().hex[:6]}")
            try:
                raw = bare_hops(raw_bus, hops)
            finally:
                raw_bus.delete(["rawhop"])
                raw_bus.close()
            at_rest = [one_hop() for _ in range(hops + 3)][3:]  # the first ones warm up
            stop = threading.Event()

            def load() -> None:
                while not stop.wait(LOAD_PAUSE):
                    loader["emit_visits"](LOAD_BATCH)

            loading = threading.Thread(target=load, daemon=True)
            loading.start()
            try:
                under_load = [one_hop() for _ in range(hops)]
            finally:
                stop.set()
                loading.join(10)
            return raw, at_rest, under_load
        finally:
            worker["consumer"].stop()
            worker["relay"].stop()
            for thread in threads:
                thread.join(10)
            bus.delete(["hopbench"])
            bus.close()
            for side in (api, loader, worker):
                side["db"].dispose()


def bare_hops(bus: Bus, hops: int) -> list[float]:
    from shared.events import make_event
    queue = bus.queue_for("rawhop", ["shop.visited"])
    got = threading.Event()
    samples = []
    with bus.connect() as conn:
        consumer = conn.Consumer(queue(conn.channel()), accept=["json"],
                                 callbacks=[lambda body, message: (message.ack(), got.set())])
        queue(conn.channel()).declare()
        with consumer:
            for _ in range(hops + 3):
                got.clear()
                body = make_event("shop.visited", {"visit_id": uuid.uuid4().hex, "shop_id": "s", "visitor": "v"},
                                  "bench").to_dict()
                began = time.perf_counter()
                bus.publish(body)
                while not got.is_set():
                    conn.drain_events(timeout=WAIT)
                samples.append((time.perf_counter() - began) * 1000)
    return samples[3:]


def summary(samples: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(samples), "p99": percentile(samples, 0.99), "max": max(samples)}
