"""The owner's view of their shop: visits, visitors, orders and sales, per product too.

Orders the owner placed in their own shop are left out, like their own visits, so these
numbers agree with the influence breakdown the ranking service shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from .orders import ShopOrder
from .visits import RecentVisitor, Visit, count_visits, recent_visitors


@dataclass
class ProductFigures:
    product_id: str
    views: int = 0
    orders: int = 0
    units: int = 0
    sales_cents: int = 0


@dataclass
class ShopAnalytics:
    visits: int = 0
    unique_visitors: int = 0
    recent_visitors: list[RecentVisitor] = field(default_factory=list)
    orders: int = 0
    sales_cents: int = 0
    products: list[ProductFigures] = field(default_factory=list)


def product_figures(shop_id: str, visits: Iterable[Visit],
                    orders: Iterable[ShopOrder]) -> list[ProductFigures]:
    """Views, orders, units and sales per product, busiest first. An order with two lines
    of one product is one order of that product."""
    figures: dict[str, ProductFigures] = {}

    def of(product_id: str) -> ProductFigures:
        return figures.setdefault(product_id, ProductFigures(product_id))

    for visit in visits:
        if visit.product_id is not None:
            of(visit.product_id).views += 1
    for order in _counted(shop_id, orders):
        for product_id in {line.product_id for line in order.lines}:
            of(product_id).orders += 1
        for line in order.lines:
            of(line.product_id).units += line.quantity
            of(line.product_id).sales_cents += line.amount_cents
    return sorted(figures.values(), key=lambda f: (-f.sales_cents, -f.views, f.product_id))


def shop_analytics(shop_id: str, visits: Iterable[Visit], orders: Iterable[ShopOrder],
                   shows_as_visitor: Callable[[str], bool]) -> ShopAnalytics:
    visits = [v for v in visits if v.shop_id == shop_id and v.visitor != shop_id]
    counted = list(_counted(shop_id, orders))
    total, unique = count_visits(visits)
    return ShopAnalytics(
        visits=total,
        unique_visitors=unique,
        recent_visitors=recent_visitors(visits, shows_as_visitor),
        orders=len(counted),
        sales_cents=sum(order.total_cents for order in counted),
        products=product_figures(shop_id, visits, counted),
    )


def _counted(shop_id: str, orders: Iterable[ShopOrder]) -> Iterable[ShopOrder]:
    return (o for o in orders if o.shop_id == shop_id and o.counts and o.buyer_id != shop_id)
