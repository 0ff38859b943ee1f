"""The ranking service: `build` wires it, `create_app` serves its API, and

    python -m services.ranking.app worker    consumes the ranking queue (start it N times:
                                             the workers compete for the queue's events)
    python -m services.ranking.app rebuild   recomputes Redis from the shop and order history

In the embedded mode the runtime runs the consumer and the refresh job as threads.
"""
from __future__ import annotations

import logging
import sys

from shared import config as gwh_config
from shared.auth import Principal, issue_token
from shared.bus import Bus, Consumer
from shared.clock import SystemClock
from shared.http import create_service_app
from shared.service import PeriodicJob, ServiceContext, ServiceParts, consumer_check, run_worker

from services.ranking import api, store
from services.ranking.announcements import Announcer
from services.ranking.boards import Boards
from services.ranking.domain import InfluenceWindow
from services.ranking.handlers import dispatcher, subscriptions
from services.ranking.scoring import Scorer

NAME = "ranking"
# How often scores whose oldest day left the window are recomputed, and waiting
# announcements retried. A day rolls over once; a minute late is soon enough.
REFRESH_INTERVAL = 60.0


def build(config, bus: Bus, clock=None) -> ServiceParts:
    clock = clock or SystemClock()
    client, close_redis = store.connect(config)
    ranking_store = store.RankingStore(client)
    scorer = Scorer(ranking_store, InfluenceWindow(config.timezone), clock, Announcer(ranking_store, bus))
    # A Redis outage (single server or cluster) is requeued, never dead-lettered: the
    # shared consumer treats redis' connection, timeout and cluster-down errors as transient.
    consumer = Consumer(bus, NAME, subscriptions.event_types, dispatcher(scorer))
    context = ServiceContext(name=NAME, config=config, clock=clock,
                             extras={"store": ranking_store, "scorer": scorer,
                                     "boards": Boards(ranking_store, refresh=config.board_refresh, clock=clock),
                                     "redis": client})
    parts_ref: dict[str, ServiceParts] = {}
    checks = {"redis": ranking_store.ping, "bus": bus.ping,
              "consumer": consumer_check(parts_ref, bus, NAME, subscriptions.event_types)}

    def attach(app):
        app.extensions["gwh"] = context

    app = create_service_app(NAME, config=config, blueprints=[api.blp], checks=checks, extra_setup=attach,
                             description="Influence scores, tiers, the TOP 300 board, friend boards and "
                                         "the community, kept in Redis.")
    parts = ServiceParts(name=NAME, app=app, bus=bus, subscriptions=subscriptions, consumer=consumer,
                         periodic=[PeriodicJob("ranking-refresh", REFRESH_INTERVAL, scorer.refresh_due)],
                         closers=[close_redis], extras=context.extras)
    parts_ref["parts"] = parts
    return parts


def create_app(config=None):
    """The WSGI app for gunicorn: `gunicorn 'services.ranking.app:create_app()'`."""
    config = gwh_config.resolve_jwt_secret(config or gwh_config.load())
    return build(config, Bus.from_config(config)).app


def run_rebuild(config) -> None:
    from services.ranking.rebuild import histories, http_fetch, rebuild
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    parts = build(config, Bus.from_config(config))
    try:
        token = issue_token(config.jwt_secret, Principal("ranking-rebuild", roles=("admin",)), ttl_seconds=3600)
        urls = {service: config.service_urls.get(service, config.gateway_url) for service in ("shop", "order")}
        report = rebuild(parts.extras["scorer"], histories(http_fetch(urls, token)))
        print(f"rebuilt: {report.replayed} events replayed, {report.announced} standings announced")
    finally:
        parts.close()


def main(argv: list[str]) -> None:
    from runtime.topology import declare_all
    config = gwh_config.resolve_jwt_secret(gwh_config.load())
    command = argv[:1]
    if command == ["worker"]:
        run_worker(build(config, Bus.from_config(config)), declare=declare_all)
    elif command == ["rebuild"]:
        declare_all(Bus.from_config(config))
        run_rebuild(config)
    else:
        sys.exit("usage: python -m services.ranking.app worker|rebuild")


if __name__ == "__main__":
    main(sys.argv[1:])
