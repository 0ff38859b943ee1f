"""What the catalog's views, handlers and jobs reach (shared.service.ServiceContext): its
database, clock, bus and token guard; the catalog asks no other service and needs no
other adapter."""
from __future__ import annotations

from dataclasses import dataclass

from shared.service import ServiceContext, service_context


@dataclass
class CatalogContext(ServiceContext):
    pass


def context() -> CatalogContext:
    return service_context(CatalogContext)
