"""The catalog service: `build` wires it, `create_app()` serves it under gunicorn, and
`python -m services.catalog.app worker` runs its event worker (the cluster mode's second
process).
"""
from __future__ import annotations

import sys

from shared.bus import Bus
from shared.clock import Clock, SystemClock
from shared.service import PeriodicJob, ServiceParts, build_relational_service, worker_main, wsgi_app

from services.catalog import api, store, usecases
from services.catalog.context import CatalogContext
from services.catalog.handlers import subscriptions


# How often the lowest-price sweep runs (usecases.announce_aged_prices): a card is at most
# this late after its 30-day lowest price aged out.
LOWEST_PRICE_SWEEP_SECONDS = 3600.0


def build(config, *, bus: Bus | None = None, clock: Clock | None = None) -> ServiceParts:
    clock = clock or SystemClock()

    def periodic(ctx: CatalogContext):
        return [PeriodicJob(usecases.SWEEP, LOWEST_PRICE_SWEEP_SECONDS,
                            lambda: usecases.announce_aged_prices(ctx.db, ctx.clock.now()))]

    return build_relational_service(
        CatalogContext, name="catalog", config=config, bus=bus or Bus.from_config(config), clock=clock,
        metadata=store.metadata,
        subscriptions=subscriptions, blueprints=[api.blp], periodic=periodic,
        description="Brands, products, prices and stock of the curated brand library.")


def create_app(config=None):
    """`gunicorn 'services.catalog.app:create_app()'`"""
    return wsgi_app(build, config)


if __name__ == "__main__":
    worker_main("catalog", build, sys.argv[1:])
