"""The order service: `build` wires it, `create_app` serves it, `python -m
services.order.app worker` runs its event worker and its periodic jobs (the 30-minute
expiry, the 7-day settlement, payout retries).
"""
from __future__ import annotations

import sys

from shared.bus import Bus
from shared.clock import Clock, SystemClock
from shared.listening import CommitListener, listen_url
from shared.service import PeriodicJob, ServiceParts, build_relational_service, worker_main, wsgi_app

from services.order import api, store, usecases
from services.order.context import OrderContext
from shared.owners import Owners
from services.order.handlers import subscriptions
from services.order.providers import PaymentProvider, PayoutProvider
from services.order.settling import SETTLED_TOPIC

# How often the jobs look. An order is cancelled at most this late after its 30 minutes,
# a commission settles at most this late after its 7 days.
EXPIRY_INTERVAL = 15.0
SETTLEMENT_INTERVAL = 60.0
PAYOUT_RETRY_INTERVAL = 60.0


def build(config, *, bus: Bus | None = None, clock: Clock | None = None, payments: PaymentProvider | None = None,
          payouts: PayoutProvider | None = None) -> ServiceParts:
    clock = clock or SystemClock()

    def periodic(ctx: OrderContext) -> list[PeriodicJob]:
        return [
            PeriodicJob("order-expiry", EXPIRY_INTERVAL, lambda: usecases.expire_unpaid_orders(ctx.db, ctx.clock.now())),
            PeriodicJob("commission-settlement", SETTLEMENT_INTERVAL,
                        lambda: usecases.settle_commissions(ctx.db, ctx.clock.now())),
            PeriodicJob("payout-retry", PAYOUT_RETRY_INTERVAL,
                        lambda: usecases.retry_payouts(ctx.db, ctx.payouts, ctx.clock.now())),
        ]

    adapters = {name: value for name, value in (("payments", payments), ("payouts", payouts)) if value is not None}
    parts = build_relational_service(
        OrderContext, name="order", config=config, bus=bus or Bus.from_config(config), clock=clock,
        metadata=store.metadata, subscriptions=subscriptions, blueprints=[api.orders_blp, api.commissions_blp],
        periodic=periodic, owners=Owners.from_config(config), **adapters,
        description="Orders and the saga in which the catalog and the shop decide, payments, refunds, "
                    "and the commission ledger.")
    settling = parts.context.settling
    if parts.consumer is not None:
        parts.consumer.dispatch = settling.wake_after(parts.consumer.dispatch)
        parts.consumer.dispatch_batch = settling.wake_after_batch(parts.consumer.dispatch_batch)
    if parts.db.dialect == "postgresql":
        # A cluster API process does not consume: it hears the worker settle an order.
        listener = CommitListener(listen_url(parts.db.engine), parts.db.channel(SETTLED_TOPIC), settling.notify,
                                  on_connected=settling.notify, name="order-settled")
        settling.hear(listener)
        parts.closers.append(listener.stop)
    return parts


def create_app(config=None):
    """`gunicorn 'services.order.app:create_app()'`"""
    return wsgi_app(build, config)


if __name__ == "__main__":
    worker_main("order", build, sys.argv[1:])
