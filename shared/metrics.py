"""Prometheus metrics of every process (prometheus-client).

Counted where it happens:

    gwh_http_requests_total{service, method, route, status}       route = the URL rule, e.g.
    gwh_http_request_duration_seconds{service, method, route}        /api/orders/<order_id>
    gwh_events_published_total{service, type}                      the relay, after the confirm
    gwh_events_consumed_total{service, type}                       handled and acked
    gwh_events_retried_total{service, type, reason}                reason: handler_failed (sent
                                                                   to the tail of the queue) or
                                                                   store_unavailable (put back)
    gwh_events_dead_lettered_total{service, type}                  type "invalid": not an event

Read at scrape time from the service's own database and broker (so they are right whichever
process answers, and visible from the API while its worker is down):

    gwh_outbox_pending{service}                     events written and not yet published
    gwh_outbox_oldest_pending_age_seconds{service}  0 when none is pending
    gwh_queue_messages{service, queue}              queue: main (the consumer lag) or dead
    gwh_queue_consumers{service}
    gwh_backlog_scrape_errors_total{service, source}  a database or broker that did not answer

Where they are served:

- an API under gunicorn: `GET /metrics` on the service's own port (not routed by either
  gateway: it is for the cluster network). gunicorn runs several worker processes, so
  shared/gunicorn_conf.py sets PROMETHEUS_MULTIPROC_DIR and every scrape adds them all up;
- a worker (`python -m services.<name>.app worker`) and the embedded mode: an HTTP server
  on GWH_METRICS_PORT when it is set (`start_http_server`).
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any, Iterable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

log = logging.getLogger("gwh.metrics")

HTTP_REQUESTS = Counter("gwh_http_requests", "HTTP requests answered, by route template and status",
                        ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("gwh_http_request_duration_seconds", "Time to answer an HTTP request",
                         ["service", "method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
EVENTS_PUBLISHED = Counter("gwh_events_published", "Events the outbox relay published (broker confirmed)",
                           ["service", "type"])
EVENTS_CONSUMED = Counter("gwh_events_consumed", "Events a consumer handled and acked", ["service", "type"])
EVENTS_RETRIED = Counter("gwh_events_retried", "Deliveries that failed and will be tried again",
                         ["service", "type", "reason"])
EVENTS_DEAD_LETTERED = Counter("gwh_events_dead_lettered", "Events moved to the dead-letter queue",
                               ["service", "type"])

UNMATCHED_ROUTE = "unmatched"


def published(service: str, event_type: str) -> None:
    EVENTS_PUBLISHED.labels(service, event_type).inc()


def consumed(service: str, event_type: str) -> None:
    EVENTS_CONSUMED.labels(service, event_type).inc()


def retried(service: str, event_type: str, reason: str) -> None:
    EVENTS_RETRIED.labels(service, event_type, reason).inc()


def dead_lettered(service: str, event_type: str) -> None:
    EVENTS_DEAD_LETTERED.labels(service, event_type).inc()


# Any token is a method to werkzeug: a client inventing methods must not invent series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# The labelled series of each (service, method, route, status), looked up once: prometheus'
# labels() takes a lock and builds a key on every call. Routes are templates and methods a
# closed set, so this stays as small as the series themselves.
_SERIES: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}


def http_request(service: str, method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "other"
    key = (service, method, route, status)
    series = _SERIES.get(key)
    if series is None:
        series = _SERIES[key] = (HTTP_REQUESTS.labels(service, method, route, str(status)),
                                 HTTP_LATENCY.labels(service, method, route))
    series[0].inc()
    series[1].observe(seconds)


# --- what is read at scrape time ------------------------------------------------------------

class Backlog:
    """A collector of one or more services' outbox backlog and queue depth, read when scraped.

    A source that does not answer (database or broker down) is left out of that scrape and
    counted in gwh_backlog_scrape_errors_total; the scrape itself still answers.
    """

    def __init__(self):
        self.outboxes: dict[str, object] = {}          # service -> shared.db.Database
        self.queues: dict[str, tuple[object, list[str]]] = {}  # service -> (Bus, event types)
        self.errors: dict[tuple[str, str], int] = {}

    def watch(self, parts) -> "Backlog":
        """Watch what a service's ServiceParts has: its outbox, its queue."""
        if parts.db is not None:
            self.outboxes[parts.name] = parts.db
        if parts.consumer is not None:
            self.queues[parts.name] = (parts.bus, list(parts.consumer.event_types))
        return self

    def _failed(self, service: str, source: str, exc: Exception) -> None:
        self.errors[(service, source)] = self.errors.get((service, source), 0) + 1
        log.warning("metrics: the %s of %s did not answer: %s", source, service, exc)

    def collect(self) -> Iterable:
        pending = GaugeMetricFamily("gwh_outbox_pending", "Events in the outbox not yet published",
                                    labels=["service"])
        age = GaugeMetricFamily("gwh_outbox_oldest_pending_age_seconds",
                                "Age of the oldest event not yet published (0: none)", labels=["service"])
        for service, db in self.outboxes.items():
            try:
                count, oldest = outbox_backlog(db)
            except Exception as exc:
                self._failed(service, "database", exc)
                continue
            pending.add_metric([service], count)
            age.add_metric([service], oldest)
        messages = GaugeMetricFamily("gwh_queue_messages", "Messages ready in a service's queue (main: the "
                                     "consumer lag) or its dead-letter queue", labels=["service", "queue"])
        consumers = GaugeMetricFamily("gwh_queue_consumers", "Consumers attached to a service's queue",
                                      labels=["service"])
        for service, (bus, event_types) in self.queues.items():
            try:
                ready, attached = bus.queue_depth(service, event_types)
                dead, _ = bus.queue_depth(service, event_types, dead=True)
            except Exception as exc:
                self._failed(service, "broker", exc)
                continue
            messages.add_metric([service, "main"], ready)
            messages.add_metric([service, "dead"], dead)
            consumers.add_metric([service], attached)
        errors = CounterMetricFamily("gwh_backlog_scrape_errors", "Scrapes where a database or broker did "
                                     "not answer", labels=["service", "source"])
        for (service, source), count in sorted(self.errors.items()):
            errors.add_metric([service, source], count)
        yield from (pending, age, messages, consumers, errors)


def outbox_backlog(db) -> tuple[int, float]:
    """(events not yet published, age in seconds of the oldest of them)."""
    from sqlalchemy import func, select

    from shared.clock import utcnow
    outbox = db.outbox
    with db.reading() as conn:
        count, oldest = conn.execute(select(func.count(), func.min(outbox.c.created_at))
                                     .where(outbox.c.sent_at.is_(None))).one()
    if not count or oldest is None:
        return 0, 0.0
    if oldest.tzinfo is None:  # SQLite gives naive datetimes back; they were written in UTC
        from datetime import timezone
        oldest = oldest.replace(tzinfo=timezone.utc)
    return int(count), max(0.0, (utcnow() - oldest).total_seconds())


# --- exposition ---------------------------------------------------------------------------

class _Together:
    """Several collectors answered as one (the process's counters, then the backlog)."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def registry(backlog: Backlog | None = None) -> CollectorRegistry:
    """What a scrape answers: this process's counters (or, under gunicorn, every worker
    process's, added up from PROMETHEUS_MULTIPROC_DIR) and the backlog."""
    if multiprocess_dir():
        from prometheus_client import multiprocess
        counters = multiprocess.MultiProcessCollector(None)
    else:
        counters = REGISTRY
    together = CollectorRegistry(auto_describe=False)
    together.register(_Together(counters, *([backlog] if backlog else [])))
    return together


def exposition(backlog: Backlog | None = None) -> tuple[bytes, str]:
    return generate_latest(registry(backlog)), CONTENT_TYPE_LATEST


def serve(port: int, backlog: Backlog | None = None, addr: str = "0.0.0.0"):
    """Serve /metrics on `port` in a daemon thread (workers, the embedded mode); returns the
    server, whose `server_port` is the port really bound (port 0 picks a free one)."""
    from prometheus_client import start_http_server
    server, _thread = start_http_server(port, addr=addr, registry=registry(backlog))
    log.info("metrics on http://%s:%s/metrics", addr, server.server_port)
    return server


# --- Flask ----------------------------------------------------------------------------------

# Where the WSGI wrapper leaves the time a request came in.
STARTED = "gwh.started"


def instrument(app, service: str, backlog: Backlog | None = None) -> None:
    """Count and time every request by route template, log one access line per request,
    and serve GET /metrics."""
    from flask import Response, request

    access = logging.getLogger("gwh.access")

    # The clock starts in a WSGI wrapper rather than a before_request hook: one Flask hook
    # fewer on every request (each goes through ensure_sync).
    inner = app.wsgi_app

    def timed(environ, start_response):
        environ[STARTED] = time.perf_counter()
        return inner(environ, start_response)

    app.wsgi_app = timed

    @app.after_request
    def _count(response):
        started = request.environ.get(STARTED)
        if started is None:
            return response
        seconds = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
        http_request(service, request.method, route, response.status_code, seconds)
        if route not in QUIET_ROUTES:
            access.info("%s %s %s %d %.1fms", service, request.method, request.path, response.status_code,
                        seconds * 1000, extra={"service": service, "method": request.method, "route": route,
                                               "path": request.path, "status": response.status_code,
                                               "duration_ms": round(seconds * 1000, 2)})
        return response

    def metrics_view():
        body, content_type = exposition(backlog)
        return Response(body, content_type=content_type)

    app.add_url_rule("/metrics", endpoint="gwh_metrics", view_func=metrics_view, methods=["GET"])


# Probes and scrapes come every few seconds from the orchestrator: counted, not logged.
QUIET_ROUTES = frozenset({"/metrics", "/health/live", "/health/ready"})
