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
from typing import Callable

from shared import logs
from shared.auth import issue_service_token
from shared.batch import BatchConsumer
from shared.bus import Bus
from shared.clock import Clock, SystemClock
from shared.health import Advisory
from shared.owners import Owners
from shared.service import PeriodicJob, ServiceParts, assemble, worker_main, wsgi_app
from shared.tokens import RedisTokenStore, TokenGuard, default_lookup

from services.ranking import api, store
from services.ranking.announcements import Announcer
from services.ranking.boards import Boards
from services.ranking.context import RankingContext
from services.ranking.domain import InfluenceWindow
from services.ranking.handlers import batch_dispatcher, dispatcher, subscriptions
from services.ranking.usecases import Queries, Scorer
from services.ranking.watch import WATCH_INTERVAL, StoreWatch

NAME = "ranking"
# How often scores whose oldest day left the window are recomputed, and waiting
# announcements retried. A day rolls over once; a minute late is soon enough.
REFRESH_INTERVAL = 60.0
# Messages a worker takes at once (its prefetch) and applies as one batch.
BATCH_SIZE = 64


def build(config, *, bus: Bus | None = None, clock: Clock | None = None, redis=None,
          history_fetch: Callable[[str, dict], dict] | None = None) -> ServiceParts:
    """`redis`: a client to use instead of the one GWH_REDIS_URL names (its owner closes it).
    `history_fetch`: where a rebuild reads the shop's and the order's history (the embedded
    platform's in-process gateway); without it, each service over HTTP."""
    clock = clock or SystemClock()
    bus = bus or Bus.from_config(config)
    closers = []
    if redis is None:
        redis, close_redis = store.connect(config)
        closers.append(close_redis)
    ranking_store = store.RankingStore(redis)
    scorer = Scorer(ranking_store, InfluenceWindow(config.timezone), clock, Announcer(ranking_store, bus))
    # A Redis outage (single server or cluster) is requeued, never dead-lettered: the
    # shared consumer treats redis' connection, timeout and cluster-down errors as transient.
    # Events are applied in batches of what the broker already sent (one script per member
    # and one ack per batch; shared/batch.py), which is what the separately scaled ranking
    # gains most from (`make bench`: ranking apply by batch size).
    consumer = BatchConsumer(bus, NAME, subscriptions.event_types, dispatcher(scorer),
                             dispatch_batch=batch_dispatcher(scorer), batch_size=BATCH_SIZE)
    context = RankingContext(name=NAME, config=config, clock=clock, bus=bus, history_fetch=history_fetch,
                             token_guard=TokenGuard(RedisTokenStore(redis), default_lookup(config, NAME)),
                             owners=Owners.from_config(config), redis=redis, store=ranking_store, scorer=scorer,
                             boards=Boards(ranking_store, refresh=config.board_refresh, clock=clock))
    context.queries = Queries(ranking_store, context.boards, context.owners)
    context.watch = StoreWatch(scorer, lambda: history_source(context))
    # Ready: Redis answers. The broker, the workers and a store being rebuilt are advisory:
    # they show as "degraded" with the reason (shared/health.py, services/ranking/watch.py).
    checks = {"redis": ranking_store.ping, "store": Advisory(context.watch.check), "bus": Advisory(bus.ping)}
    return assemble(context, subscriptions=subscriptions, blueprints=[api.blp], checks=checks, consumer=consumer,
                    description="Influence scores, tiers, the TOP 300 board, friend boards and the community, "
                                "kept in Redis.",
                    periodic=[PeriodicJob("ranking-refresh", REFRESH_INTERVAL, scorer.refresh_due),
                              PeriodicJob("ranking-store-watch", WATCH_INTERVAL, context.watch.watch,
                                          at_start=True, clocked=False)],
                    closers=closers)


def create_app(config=None):
    """The WSGI app for gunicorn: `gunicorn 'services.ranking.app:create_app()'`."""
    return wsgi_app(build, config)


def history_source(context: RankingContext):
    """Where the watch reads the shop's and the order's history: what the runtime set on
    the context (the embedded platform's in-process gateway), else each service over HTTP
    (GWH_SHOP_URL, GWH_ORDER_URL, or the gateway), as an admin."""
    from services.ranking.rebuild import http_fetch
    config = context.config
    if context.history_fetch is not None:
        return context.history_fetch
    if config.embedded_bus:
        return None  # the embedded platform provides its own, or there is no history here
    token = issue_service_token(config.jwt_secret, "ranking-rebuild", ttl_seconds=3600)
    urls = {service: config.service_urls.get(service, config.gateway_url) for service in ("shop", "order")}
    return http_fetch(urls, token)


def run_rebuild(config, catch_up: bool = False) -> None:
    """A full rebuild (or, with --catch-up, the events after the checkpoint), under the same
    lock as the workers' watch: it waits while a worker is rebuilding."""
    logs.configure()
    parts = build(config)
    try:
        watch: StoreWatch = parts.context.watch
        fetch = history_source(parts.context)
        if fetch is None:
            sys.exit("no history source: set GWH_SHOP_URL and GWH_ORDER_URL (or GWH_GATEWAY_URL)")
        recovery = watch.recover("catch-up" if catch_up else "full", fetch, wait=600)
        if recovery is None:
            sys.exit("another rebuild held the lock for 10 minutes; try again later")
        print(f"{recovery.kind}: {recovery.replayed} events replayed in {recovery.seconds:.1f}s "
              f"({recovery.events_per_second:.0f} events/s); checkpoint {recovery.checkpoint}")
    finally:
        parts.close()


def rebuild_command(config, argv: list[str]) -> None:
    run_rebuild(config, catch_up=argv == ["--catch-up"])


def main(argv: list[str]) -> None:
    worker_main(NAME, build, argv, commands={"rebuild": rebuild_command})


if __name__ == "__main__":
    main(sys.argv[1:])
