"""The parts of one running service, and how they start and stop.

Every service's `build(config, bus, clock)` returns a `ServiceParts`: its Flask app, its
database (if relational), its outbox relay, its consumer, and its periodic jobs (the
30-minute order expiry, the 7-day commission settlement). The same parts run

- all in one process, as threads, in the embedded mode (runtime.embedded), and
- split in the cluster mode: gunicorn serves `app`, and `run_worker` runs the consumer,
  the relay and the periodic jobs in a worker process that can be started N times.
"""
from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from flask import Flask

from shared import logs, malloc, metrics
from shared.bus import Bus, Consumer, Subscriptions
from shared.correlation import new_id
from shared.db import Database
from shared.events import correlation_id_var
from shared.health import Advisory
from shared.outbox import OutboxRelay

log = logging.getLogger("gwh.service")


# Events a relational service's consumer applies in one transaction at most (its prefetch).
INBOX_BATCH = 32


@dataclass
class PeriodicJob:
    """A job run every `interval` seconds (e.g. expire unpaid orders); errors are logged."""

    name: str
    interval: float
    run: Callable[[], Any]
    # Run once right at start too, not only after the first interval.
    at_start: bool = False
    # Stepped by the service's clock (expiry, settlement, the window's roll-over): tests
    # move a clock and call run_periodic_once. False for a watch of the outside world (the
    # ranking store's epoch), which runs in the background only.
    clocked: bool = True

    def loop(self, stop: threading.Event) -> None:
        if self.at_start and not stop.is_set():
            try:
                self.run()
            except Exception:
                log.exception("periodic job %s failed; it runs again in %.0fs", self.name, self.interval)
        while not stop.wait(self.interval):
            # One correlation id per run: its log lines and the events it emits go together.
            token = correlation_id_var.set(f"{self.name}-{new_id()}")
            try:
                self.run()
            except Exception:
                log.exception("periodic job %s failed; it runs again in %.0fs", self.name, self.interval)
            finally:
                correlation_id_var.reset(token)


@dataclass
class ServiceParts:
    name: str
    app: Flask
    bus: Bus
    subscriptions: Subscriptions
    db: Database | None = None
    relay: OutboxRelay | None = None
    consumer: Consumer | None = None
    periodic: list[PeriodicJob] = field(default_factory=list)
    # Extra resources to close on stop (an embedded Redis, a connection pool).
    closers: list[Callable[[], None]] = field(default_factory=list)
    # The service's typed context (services/<svc>/context.py): what its views, handlers,
    # jobs, tests and CLIs reach (the clock, the providers, the Redis client).
    context: "ServiceContext | None" = None
    _threads: list[threading.Thread] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        # The app's /metrics reports this service's outbox backlog and queue depth.
        backlog = self.app.extensions.get("gwh_backlog")
        if backlog is not None:
            backlog.watch(self)

    def start_background(self, *, consumer: bool = True, relay: bool = True, periodic: bool = True) -> None:
        targets: list[tuple[str, Callable[[], None]]] = []
        if consumer and self.consumer is not None:
            targets.append(("consumer", self.consumer.run))
        if relay and self.relay is not None:
            targets.append(("relay", self.relay.run))
        if periodic:
            targets += [(job.name, lambda job=job: job.loop(self._stop)) for job in self.periodic]
        for label, target in targets:
            thread = threading.Thread(target=target, name=f"{self.name}-{label}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop_background(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self.consumer is not None:
            self.consumer.stop()
        if self.relay is not None:
            self.relay.stop()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def run_periodic_once(self) -> None:
        """Run every periodic job now (tests move a clock, then call this)."""
        for job in self.periodic:
            if job.clocked:
                job.run()

    def close(self) -> None:
        self.stop_background()
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                log.exception("closing %s", self.name)
        if self.db is not None:
            self.db.dispose()
        self.bus.close()


def run_worker(parts: ServiceParts, declare: Callable[[Bus], None] | None = None,
               metrics_port: int | None = None, probe_port: int = 0) -> None:
    """The worker entry point of the cluster mode: consume, relay and run jobs until SIGTERM.

    On SIGTERM/SIGINT it stops taking messages, lets the one in hand finish (it is acked
    only after its handler committed, so an interrupted one is redelivered), flushes the
    outbox once more, and exits. With `metrics_port` (GWH_METRICS_PORT) it serves its
    Prometheus metrics there (shared/metrics.py); with `probe_port` it answers
    /health/live and /health/ready on that port (shared/probe.py).
    """
    malloc.tune()  # before the worker's threads start (shared/malloc.py)
    logs.configure()
    stop = threading.Event()

    def on_signal(signum, _frame):
        log.info("%s worker: signal %s, draining", parts.name, signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if declare is not None:
        declare(parts.bus)
    parts.start_background()
    metrics_server = None
    if metrics_port is not None:
        metrics_server = metrics.serve(metrics_port, metrics.Backlog().watch(parts))
    probe = None
    if probe_port:
        from shared.probe import ProbeServer, WorkerHealth
        probe = ProbeServer(WorkerHealth(parts), probe_port).start()
        log.info("%s worker: probe on port %d", parts.name, probe.port)
    log.info("%s worker started", parts.name)
    stop.wait()
    if probe is not None:
        probe.stop()
    parts.stop_background()
    if parts.relay is not None:
        try:
            parts.relay.flush()
        except Exception as exc:
            log.warning("%s: events left in the outbox for the next start: %s", parts.name, exc)
    parts.close()
    if metrics_server is not None:
        metrics_server.shutdown()


@dataclass
class ServiceContext:
    """What every service's views, handlers and jobs reach: its name, configuration, clock,
    bus, database (a relational service), token guard and owners client. Each service
    subclasses it with the adapters it needs, as typed fields (services/<svc>/context.py),
    and `build(config, **adapters)` fills them: a test passes a fake to `build`, nothing
    is swapped in afterwards."""

    name: str
    config: Any
    clock: Any
    bus: Bus
    db: Database | None = None
    token_guard: Any = None
    owners: Any = None


C = TypeVar("C", bound=ServiceContext)


def service_context(kind: type[C]) -> C:
    """The running app's context, as the service's own type (a view's way in)."""
    from flask import current_app
    context = current_app.extensions["gwh"]
    if not isinstance(context, kind):  # pragma: no cover - a wiring mistake
        raise TypeError(f"this app's context is a {type(context).__name__}, not a {kind.__name__}")
    return context


def consumer_check(parts_ref: dict, bus: Bus, service: str, event_types: list[str]) -> Callable[[], None]:
    """Ready only while a consumer is attached to the service's queue.

    In-process (embedded mode, worker) the consumer says so itself; in a cluster API
    process the broker says how many consumers the queue has.
    """
    def check() -> None:
        parts: ServiceParts | None = parts_ref.get("parts")
        if parts is not None and parts._threads and parts.consumer is not None:
            if not parts.consumer.attached:
                raise RuntimeError("the consumer is not attached to its queue")
            return
        _, consumers = bus.queue_depth(service, event_types, timeout=2)
        if consumers < 1:
            raise RuntimeError(f"no consumer is attached to the {service} queue")
    return check


def assemble(context: ServiceContext, *, subscriptions: Subscriptions, blueprints: list, description: str,
             checks: dict, consumer: Consumer | None = None, relay: OutboxRelay | None = None,
             periodic: list[PeriodicJob] | None = None, closers: list[Callable[[], None]] | None = None
             ) -> ServiceParts:
    """The parts every service has, from its context: the app (its blueprints, its health
    checks, the context for its views), the consumer and relay, the periodic jobs. The
    relational services and the ranking both come through here."""
    from shared.history import history_blueprint
    from shared.http import create_service_app

    parts_ref: dict[str, ServiceParts] = {}
    if consumer is not None:
        checks = {**checks, "consumer": Advisory(consumer_check(parts_ref, context.bus, context.name,
                                                               subscriptions.event_types))}
    if context.db is not None:
        blueprints = [*blueprints, history_blueprint(context.name)]

    def attach(app):
        app.extensions["gwh"] = context

    app = create_service_app(context.name, config=context.config, blueprints=blueprints, checks=checks,
                             description=description, extra_setup=attach, token_guard=context.token_guard)
    parts = ServiceParts(name=context.name, app=app, bus=context.bus, subscriptions=subscriptions, db=context.db,
                         relay=relay, consumer=consumer, periodic=list(periodic or []), closers=list(closers or []),
                         context=context)
    parts_ref["parts"] = parts
    return parts


def build_relational_service(make_context: Callable[..., C], *, name: str, config, bus: Bus, clock, metadata,
                             subscriptions: Subscriptions, blueprints: list, description: str = "",
                             periodic: Callable[[C], list[PeriodicJob]] | None = None, token_lookup=None,
                             **adapters) -> ServiceParts:
    """Wire a relational service: its database, outbox relay, idempotent consumer, context
    (`make_context(..., **adapters)`, the service's own type) and app.

    Its tokens are checked against its own revocation list (shared.tokens); a member it
    has not met is asked of `token_lookup` (default: the shop's API over HTTP)."""
    from shared.inbox import idempotent_consumer
    from shared.tokens import SqlTokenStore, TokenGuard, default_lookup

    db = Database(config.database_url(name), metadata, producer=name, clock=clock, migrations=name)
    db.create_all()
    relay = OutboxRelay(db, bus, interval=config.relay_interval)
    consumer = None
    if subscriptions.handlers:
        consumer = idempotent_consumer(bus, name, db, subscriptions, batch_size=INBOX_BATCH)
    token_guard = TokenGuard(SqlTokenStore(db), token_lookup or default_lookup(config, name))
    context = make_context(name=name, config=config, clock=clock, bus=bus, db=db, token_guard=token_guard,
                           **adapters)
    # Ready: the API can answer, i.e. its database answers. The broker and the worker are
    # advisory: while they are away the outbox keeps the events (shared/health.py).
    checks = {"database": db.ping, "bus": Advisory(bus.ping)}
    jobs = [*(periodic(context) if periodic else []), retention_job(db, config)]
    return assemble(context, subscriptions=subscriptions, blueprints=blueprints, description=description,
                    checks=checks, consumer=consumer, relay=relay, periodic=jobs)


def retention_job(db: Database, config) -> PeriodicJob:
    """Prune sent outbox rows and inbox ids past GWH_RETENTION_DAYS (shared/retention.py)."""
    from shared import retention
    return PeriodicJob(f"{db.producer}-retention", retention.INTERVAL_SECONDS,
                       lambda: retention.prune(db, config.retention_days))


def wsgi_app(build: Callable, config=None) -> Flask:
    """A service's app for gunicorn, configured from the environment."""
    from shared import config as gwh_config
    config = gwh_config.resolve_jwt_secret(config or gwh_config.load())
    return build(config, bus=Bus.from_config(config)).app


def worker_main(name: str, build: Callable, argv: list[str],
                commands: dict[str, Callable[[Any, list[str]], None]] | None = None) -> None:
    """`python -m services.<name>.app worker`: the service's consumer, relay and jobs; a
    service may add commands of its own (the ranking's `rebuild`)."""
    import sys

    from shared import config as gwh_config
    commands = commands or {}
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command != "worker" and command not in commands:
        sys.exit(f"usage: python -m services.{name}.app {'|'.join(['worker', *commands])}")
    from runtime.topology import declare_all
    config = gwh_config.resolve_jwt_secret(gwh_config.load())
    if command in commands:
        declare_all(Bus.from_config(config))
        commands[command](config, rest)
        return
    run_worker(build(config, bus=Bus.from_config(config)), declare=declare_all, metrics_port=config.metrics_port,
               probe_port=config.worker_probe_port)
