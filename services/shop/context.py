"""What the shop's views, handlers and jobs reach (shared.service.ServiceContext): besides
its database, clock and bus, the password hasher and the catalog's read-through client."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.owners import Owners
from shared.service import ServiceContext, service_context

from services.shop.passwords import Passwords


@dataclass
class ShopContext(ServiceContext):
    passwords: Passwords = field(default_factory=Passwords)
    owners: Owners = field(default_factory=Owners)


def context() -> ShopContext:
    return service_context(ShopContext)
