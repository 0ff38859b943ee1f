"""The ranking service: `build` wires it, `create_app` serves its API, and

    python -m services.ranking.app worker    consumes the ranking queue (start it N times:
                                             the workers compete for the queue's events)
    python -m services.ranking.app rebuild   recomputes Redis from the shop and order history
                                             (--catch-up: only the events after the checkpoint)

The workers also watch the store and rebuild it on their own when its data is lost
(services/ranking/watch.py).

In the embedded mode the runtime runs the consumer and the refresh job as threads.
"""
from __future__ import annotations

import sys

from shared import config as gwh_config
from shared import logs
from shared.auth import issue_service_token
from shared.batch import BatchConsumer
from shared.bus import Bus
from shared.clock import SystemClock
from shared.health import Advisory
from shared.http import create_service_app
from shared.owners import Owners
from shared.service import PeriodicJob, ServiceContext, ServiceParts, consumer_check, run_worker
from shared.tokens import RedisTokenStore, TokenGuard, default_lookup

from services.ranking import api, store
from services.ranking.announcements import Announcer
from services.ranking.boards import Boards
from services.ranking.domain import InfluenceWindow
from services.ranking.handlers import batch_dispatcher, dispatcher, subscriptions
from services.ranking.scoring import Scorer
from services.ranking.watch import WATCH_INTERVAL, StoreWatch

NAME = "ranking"
# How often scores whose oldest day left the window are recomputed, and waiting
# announcements retried. A day rolls over once; a minute late is soon enough.
REFRESH_INTERVAL = 60.0
# Messages a worker takes at once (its prefetch) and applies as one batch.
BATCH_SIZE = 64


def build(config, bus: Bus, clock=None) -> ServiceParts:
    clock = clock or SystemClock()
    client, close_redis = store.connect(config)
    ranking_store = store.RankingStore(client)
    scorer = Scorer(ranking_store, InfluenceWindow(config.timezone), clock, Announcer(ranking_store, bus))
    # A Redis outage (single server or cluster) is requeued, never dead-lettered: the
    # shared consumer treats redis' connection, timeout and cluster-down errors as transient.
    # Events are applied in batches of what the broker already sent (one script per member
    # and one ack per batch; shared/batch.py), which is what the separately scaled ranking
    # gains most from (`make bench`: ranking apply by batch size).
    consumer = BatchConsumer(bus, NAME, subscriptions.event_types, dispatcher(scorer),
                             dispatch_batch=batch_dispatcher(scorer), batch_size=BATCH_SIZE)
    token_guard = TokenGuard(RedisTokenStore(client), default_lookup(config, NAME))
    context = ServiceContext(name=NAME, config=config, clock=clock,
                             extras={"store": ranking_store, "scorer": scorer,
                                     "boards": Boards(ranking_store, refresh=config.board_refresh, clock=clock),
                                     "redis": client, "owners": Owners.from_config(config),
                                     "token_guard": token_guard})
    watch = StoreWatch(scorer, lambda: history_source(config, context.extras))
    context.extras["watch"] = watch
    parts_ref: dict[str, ServiceParts] = {}
    # Ready: Redis answers. The broker, the workers and a store being rebuilt are advisory:
    # they show as "degraded" with the reason (shared/health.py, services/ranking/watch.py).
    checks = {"redis": ranking_store.ping, "store": Advisory(watch.check), "bus": Advisory(bus.ping),
              "consumer": Advisory(consumer_check(parts_ref, bus, NAME, subscriptions.event_types))}

    def attach(app):
        app.extensions["gwh"] = context

    app = create_service_app(NAME, config=config, blueprints=[api.blp], checks=checks, extra_setup=attach,
                             description="Influence scores, tiers, the TOP 300 board, friend boards and "
                                         "the community, kept in Redis.", token_guard=token_guard)
    parts = ServiceParts(name=NAME, app=app, bus=bus, subscriptions=subscriptions, consumer=consumer,
                         periodic=[PeriodicJob("ranking-refresh", REFRESH_INTERVAL, scorer.refresh_due),
                                   PeriodicJob("ranking-store-watch", WATCH_INTERVAL, watch.watch,
                                               at_start=True, clocked=False)],
                         closers=[close_redis], extras=context.extras)
    parts_ref["parts"] = parts
    return parts


def create_app(config=None):
    """The WSGI app for gunicorn: `gunicorn 'services.ranking.app:create_app()'`."""
    config = gwh_config.resolve_jwt_secret(config or gwh_config.load())
    return build(config, Bus.from_config(config)).app


def history_source(config, extras: dict):
    """Where the watch reads the shop's and the order's history: what the runtime put in
    extras (the embedded platform's in-process gateway), else each service over HTTP
    (GWH_SHOP_URL, GWH_ORDER_URL, or the gateway), as an admin."""
    from services.ranking.rebuild import http_fetch
    if extras.get("history_fetch") is not None:
        return extras["history_fetch"]
    if config.embedded_bus:
        return None  # the embedded platform provides its own, or there is no history here
    token = issue_service_token(config.jwt_secret, "ranking-rebuild", ttl_seconds=3600)
    urls = {service: config.service_urls.get(service, config.gateway_url) for service in ("shop", "order")}
    return http_fetch(urls, token)


def run_rebuild(config, catch_up: bool = False) -> None:
    """A full rebuild (or, with --catch-up, the events after the checkpoint), under the same
    lock as the workers' watch: it waits while a worker is rebuilding."""
    logs.configure()
    parts = build(config, Bus.from_config(config))
    try:
        watch: StoreWatch = parts.extras["watch"]
        fetch = history_source(config, parts.extras)
        if fetch is None:
            sys.exit("no history source: set GWH_SHOP_URL and GWH_ORDER_URL (or GWH_GATEWAY_URL)")
        recovery = watch.recover("catch-up" if catch_up else "full", fetch, wait=600)
        if recovery is None:
            sys.exit("another rebuild held the lock for 10 minutes; try again later")
        print(f"{recovery.kind}: {recovery.replayed} events replayed in {recovery.seconds:.1f}s "
              f"({recovery.events_per_second:.0f} events/s); checkpoint {recovery.checkpoint}")
    finally:
        parts.close()


def main(argv: list[str]) -> None:
    from runtime.topology import declare_all
    config = gwh_config.resolve_jwt_secret(gwh_config.load())
    command = argv[:1]
    if command == ["worker"]:
        run_worker(build(config, Bus.from_config(config)), declare=declare_all, metrics_port=config.metrics_port,
                   probe_port=config.worker_probe_port)
    elif command == ["rebuild"]:
        declare_all(Bus.from_config(config))
        run_rebuild(config, catch_up=argv[1:] == ["--catch-up"])
    else:
        sys.exit("usage: python -m services.ranking.app worker|rebuild [--catch-up]")


if __name__ == "__main__":
    main(sys.argv[1:])
