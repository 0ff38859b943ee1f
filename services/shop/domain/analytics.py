"""The owner's view of their shop: visits, visitors, orders and sales, per product too.

Orders the owner placed in their own shop are left out, like their own visits, so these
numbers agree with the influence breakdown the ranking service shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from .orders import ShopOrder
from .visits import RecentVisitor, VisitorTally, count_visits, recent_visitors


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


def counted_orders(shop_id: str, orders: Iterable[ShopOrder]) -> list[ShopOrder]:
    """Orders through this shop, paid and not refunded, by someone other than its owner."""
    return [o for o in orders if o.shop_id == shop_id and o.counts and o.buyer_id != shop_id]


def product_figures(views: Mapping[str, int], counted: Iterable[ShopOrder]) -> list[ProductFigures]:
    """Views, orders, units and sales per product, best sellers first. An order with two
    lines of one product is one order of that product."""
    figures = {product_id: ProductFigures(product_id, views=n) for product_id, n in views.items()}
    for order in counted:
        for product_id in {line.product_id for line in order.lines}:
            figures.setdefault(product_id, ProductFigures(product_id)).orders += 1
        for line in order.lines:
            entry = figures[line.product_id]
            entry.units += line.quantity
            entry.sales_cents += line.amount_cents
    return sorted(figures.values(), key=lambda f: (-f.sales_cents, -f.views, f.product_id))


def shop_analytics(shop_id: str, tallies: Iterable[VisitorTally], views: Mapping[str, int],
                   orders: Iterable[ShopOrder], shows_as_visitor: Callable[[str], bool]) -> ShopAnalytics:
    """`tallies` and `views` come from visits that were counted (the owner's never are)."""
    tallies = list(tallies)
    counted = counted_orders(shop_id, orders)
    total, unique = count_visits(tallies)
    return ShopAnalytics(
        visits=total,
        unique_visitors=unique,
        recent_visitors=recent_visitors(tallies, shows_as_visitor),
        orders=len(counted),
        sales_cents=sum(order.total_cents for order in counted),
        products=product_figures(views, counted),
    )
