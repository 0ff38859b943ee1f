"""The catalog service: `build` wires it, `create_app` serves it, `python -m
services.catalog.app worker` runs its event worker (the cluster mode's second process).
"""
from __future__ import annotations

import sys

from shared import config as gwh_config
from shared.bus import Bus
from shared.clock import SystemClock
from shared.service import ServiceParts, build_relational_service, run_worker

from services.catalog import api, store
from services.catalog.handlers import subscriptions


def build(config, bus: Bus, clock=None) -> ServiceParts:
    return build_relational_service(
        "catalog", config=config, bus=bus, clock=clock or SystemClock(), metadata=store.metadata,
        subscriptions=subscriptions, blueprints=[api.blp],
        description="Brands, products, prices and stock of the curated brand library.")


def create_app(config=None):
    """The WSGI app for gunicorn: `gunicorn 'services.catalog.app:create_app()'`."""
    config = gwh_config.resolve_jwt_secret(config or gwh_config.load())
    return build(config, Bus.from_config(config)).app


def main(argv: list[str]) -> None:
    from runtime.topology import declare_all
    config = gwh_config.resolve_jwt_secret(gwh_config.load())
    if argv[:1] != ["worker"]:
        sys.exit("usage: python -m services.catalog.app worker")
    run_worker(build(config, Bus.from_config(config)), declare=declare_all)


if __name__ == "__main__":
    main(sys.argv[1:])
