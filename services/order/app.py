"""The order service: `build` wires it, `create_app` serves it, `python -m
services.order.app worker` runs its event worker and its periodic jobs (the 30-minute
expiry, the 7-day settlement, payout retries).
"""
from __future__ import annotations

import sys

from shared.bus import Bus
from shared.clock import SystemClock
from shared.db import Database
from shared.service import PeriodicJob, ServiceParts, build_relational_service, worker_main, wsgi_app

from services.order import api, store, usecases
from services.order.settling import SettleWaiter
from shared.owners import Owners
from services.order.handlers import subscriptions
from services.order.providers import (PaymentProvider, PayoutProvider, SimulatedPaymentProvider,
                                      SimulatedPayoutProvider)

# How often the jobs look. An order is cancelled at most this late after its 30 minutes,
# a commission settles at most this late after its 7 days.
EXPIRY_INTERVAL = 15.0
SETTLEMENT_INTERVAL = 60.0
PAYOUT_RETRY_INTERVAL = 60.0


def build(config, bus: Bus, clock=None, *, payments: PaymentProvider | None = None,
          payouts: PayoutProvider | None = None) -> ServiceParts:
    clock = clock or SystemClock()
    payments = payments or SimulatedPaymentProvider()
    payouts = payouts or SimulatedPayoutProvider()

    def periodic(db: Database) -> list[PeriodicJob]:
        return [
            PeriodicJob("order-expiry", EXPIRY_INTERVAL, lambda: usecases.expire_unpaid_orders(db, clock.now())),
            PeriodicJob("commission-settlement", SETTLEMENT_INTERVAL,
                        lambda: usecases.settle_commissions(db, clock.now())),
            PeriodicJob("payout-retry", PAYOUT_RETRY_INTERVAL,
                        lambda: usecases.retry_payouts(db, payouts, clock.now())),
        ]

    settling = SettleWaiter()
    parts = build_relational_service(
        "order", config=config, bus=bus, clock=clock, metadata=store.metadata,
        subscriptions=subscriptions, blueprints=[api.orders_blp, api.commissions_blp], periodic=periodic,
        extras={"payments": payments, "payouts": payouts, "settling": settling, "owners": Owners.from_config(config)},
        description="Orders and the saga in which the catalog and the shop decide, payments, refunds, "
                    "and the commission ledger.")
    if parts.consumer is not None:
        parts.consumer.dispatch = settling.wake_after(parts.consumer.dispatch)
    return parts


def create_app(config=None):
    """`gunicorn 'services.order.app:create_app()'`"""
    return wsgi_app(build, config)


if __name__ == "__main__":
    worker_main("order", build, sys.argv[1:])
