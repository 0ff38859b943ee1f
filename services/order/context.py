"""What the order's views, handlers and jobs reach (shared.service.ServiceContext): besides
its database, clock and bus, the payment and payout providers, the waiter that lets
POST /api/orders answer settled, and the owners' read-through client."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.owners import Owners
from shared.service import ServiceContext, service_context

from services.order.providers import (PaymentProvider, PayoutProvider, SimulatedPaymentProvider,
                                      SimulatedPayoutProvider)
from services.order.settling import SettleWaiter


@dataclass
class OrderContext(ServiceContext):
    payments: PaymentProvider = field(default_factory=SimulatedPaymentProvider)
    payouts: PayoutProvider = field(default_factory=SimulatedPayoutProvider)
    settling: SettleWaiter = field(default_factory=SettleWaiter)
    owners: Owners = field(default_factory=Owners)


def context() -> OrderContext:
    return service_context(OrderContext)
