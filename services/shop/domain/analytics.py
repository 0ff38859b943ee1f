"""The owner's view of their shop: visits, visitors, orders and sales, per product too.

Orders the owner placed in their own shop are left out, like their own visits, so these
numbers agree with the influence breakdown the ranking service shows. The visit figures
cover the influence window (domain.visits.VisitWindow); orders and sales are all-time.

Privacy against inference (docs/privacy.md): a `sensitive` product is only ever shown to
its buyer, and an owner with few visitors could otherwise tell who bought it from its
order count and the list of who came. So while a sensitive product the shop features or
sold has fewer than MIN_BUYERS_TO_SHOW distinct buyers through it:
- its orders, units and sales are withheld (its views are not: a view is no purchase),
  and they are left out of the shop's order and sales totals too, which would otherwise
  give them away by difference;
- the list of recent visitors is withheld altogether, for the whole shop: who came is
  exactly what ties an order to a person.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from .orders import ShopOrder
from .visits import RecentVisitor, VisitorTally, count_visits, recent_visitors

# A sensitive product's figures show once this many different members bought it here.
MIN_BUYERS_TO_SHOW = 5


@dataclass
class ProductFigures:
    product_id: str
    views: int = 0
    orders: int | None = 0
    units: int | None = 0
    sales_cents: int | None = 0

    @property
    def withheld(self) -> bool:
        return self.orders is None


@dataclass
class ShopAnalytics:
    visits: int = 0
    unique_visitors: int = 0
    anonymous_visits: int = 0
    recent_visitors: list[RecentVisitor] = field(default_factory=list)
    recent_visitors_withheld: bool = False
    orders: int = 0
    sales_cents: int = 0
    products: list[ProductFigures] = field(default_factory=list)


def counted_orders(shop_id: str, orders: Iterable[ShopOrder]) -> list[ShopOrder]:
    """Orders through this shop, paid and not refunded, by someone other than its owner."""
    return [o for o in orders if o.shop_id == shop_id and o.counts and o.buyer_id != shop_id]


def buyers_by_product(counted: Iterable[ShopOrder]) -> dict[str, set[str]]:
    buyers: dict[str, set[str]] = defaultdict(set)
    for order in counted:
        for line in order.lines:
            buyers[line.product_id].add(order.buyer_id)
    return buyers


def protected_products(counted: Iterable[ShopOrder], featured: Iterable[str],
                       is_sensitive: Callable[[str], bool]) -> set[str]:
    """The sensitive products the shop features or sold whose buyers are still too few to
    hide among (fewer than MIN_BUYERS_TO_SHOW distinct members)."""
    buyers = buyers_by_product(counted)
    return {product_id for product_id in set(featured) | set(buyers)
            if is_sensitive(product_id) and len(buyers.get(product_id, ())) < MIN_BUYERS_TO_SHOW}


def product_figures(views: Mapping[str, int], counted: Iterable[ShopOrder],
                    protected: set[str] = frozenset()) -> list[ProductFigures]:
    """Views, orders, units and sales per product, best sellers first. An order with two
    lines of one product is one order of that product. A protected product shows its
    views only."""
    figures = {product_id: ProductFigures(product_id, views=n) for product_id, n in views.items()}
    for order in counted:
        for product_id in {line.product_id for line in order.lines}:
            figures.setdefault(product_id, ProductFigures(product_id)).orders += 1
        for line in order.lines:
            entry = figures[line.product_id]
            entry.units += line.quantity
            entry.sales_cents += line.amount_cents
    for product_id in protected & set(figures):
        entry = figures[product_id]
        entry.orders = entry.units = entry.sales_cents = None
    return sorted(figures.values(), key=lambda f: (-(f.sales_cents or 0), -f.views, f.product_id))


def shop_analytics(shop_id: str, tallies: Iterable[VisitorTally], views: Mapping[str, int],
                   orders: Iterable[ShopOrder], shows_as_visitor: Callable[[str], bool],
                   featured: Iterable[str] = (), is_sensitive: Callable[[str], bool] = lambda _: False
                   ) -> ShopAnalytics:
    """`tallies` and `views` come from visits that were counted (the owner's never are),
    within the visit window; `featured` and `is_sensitive` say which products need the
    protection above."""
    tallies = list(tallies)
    counted = counted_orders(shop_id, orders)
    protected = protected_products(counted, featured, is_sensitive)
    shown_lines = [(order, [line for line in order.lines if line.product_id not in protected])
                   for order in counted]
    counts = count_visits(tallies)
    return ShopAnalytics(
        visits=counts.visits,
        unique_visitors=counts.unique_visitors,
        anonymous_visits=counts.anonymous_visits,
        recent_visitors=[] if protected else recent_visitors(tallies, shows_as_visitor),
        recent_visitors_withheld=bool(protected),
        orders=sum(1 for _, lines in shown_lines if lines),
        sales_cents=sum(line.amount_cents for _, lines in shown_lines for line in lines),
        products=product_figures(views, counted, protected),
    )
