"""What an order costs and what it earns the shop it was bought through.

The owners of the facts price it (docs/owners-decide.md): the catalog's reservation answer
gives each line's terms (list and exclusive price, commission rate, at a product revision),
the shop service's attribution answer says which products the shop features. The price and
the commission are fixed on the order line from those answers, once, so a later price
change or unfeaturing does not touch an order already priced. The order service's own
projections (product cards) serve display and the checks their copy proves, never a price.

Rules:
- A product featured in the shop `shop_id` costs its exclusive price, otherwise its list
  price. That holds for a buyer ordering through their own shop too (it is their price).
- Commission, per line: floor(unit price x quantity x rate_bp / 10000), only when the order
  goes through someone else's shop (buyer != shop owner; a member's id is their shop's id)
  and that shop features the product. A product not featured there earns nothing.
- 1..20 lines, quantity 1..99 each. Two lines for the same product are refused (Unprocessable), not
  merged: a client that sends them has a bug, and merging would silently decide which
  quantity the buyer meant.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from shared.failures import Unprocessable

from .orders import OrderLine

MAX_QUANTITY = 99
MAX_LINES = 20
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class ProductCard:
    """The order service's projection of a catalog product: for display and for the checks
    its copy proves (a delisting it has seen), never for a price."""

    product_id: str
    list_price_cents: int
    exclusive_price_cents: int
    commission_rate_bp: int
    status: str = "listed"

    @property
    def listed(self) -> bool:
        return self.status == "listed"


@dataclass(frozen=True)
class CatalogTerms:
    """What the catalog confirmed it reserved a line at: the price the order must charge."""

    product_id: str
    list_price_cents: int
    exclusive_price_cents: int
    commission_rate_bp: int
    revision: int

    listed = True                      # the catalog reserves only what is listed


@dataclass(frozen=True)
class ItemRequest:
    product_id: str
    quantity: int


def check_items(items: Iterable[ItemRequest]) -> list[ItemRequest]:
    """The shape rules of an order's items; Unprocessable naming every broken rule."""
    items = list(items)
    problems: list[str] = []
    if not 1 <= len(items) <= MAX_LINES:
        problems.append(f"an order has 1 to {MAX_LINES} items, got {len(items)}")
    for item in items:
        if not 1 <= item.quantity <= MAX_QUANTITY:
            problems.append(f"quantity of {item.product_id} must be 1 to {MAX_QUANTITY}, "
                            f"got {item.quantity}")
    repeated = sorted(pid for pid, n in Counter(i.product_id for i in items).items() if n > 1)
    for product_id in repeated:
        problems.append(f"{product_id} appears on more than one line; send one line per product")
    if problems:
        raise Unprocessable("the order's items are invalid", errors={"items": problems})
    return items


def commission_cents(unit_price_cents: int, quantity: int, rate_bp: int) -> int:
    # Integer arithmetic: floor division of a non-negative product never loses a cent to floats.
    return unit_price_cents * quantity * rate_bp // BASIS_POINTS


def earns_commission(buyer_id: str, shop_id: str | None) -> bool:
    """Only buying through someone else's shop pays its owner; your own shop earns nothing."""
    return shop_id is not None and shop_id != buyer_id


def price_lines(lines: Iterable[OrderLine], terms: Mapping[str, CatalogTerms], featured: Set[str],
                buyer_id: str, shop_id: str | None) -> tuple[OrderLine, ...]:
    """The order's lines priced from the owners' answers: the catalog's terms per product,
    and the products the shop (`shop_id`) said it features."""
    featured = featured if shop_id is not None else frozenset()
    return tuple(_price_line(ItemRequest(line.product_id, line.quantity), terms[line.product_id],
                             line.product_id in featured, earns_commission(buyer_id, shop_id))
                 for line in lines)


def _price_line(item: ItemRequest, card: CatalogTerms, is_featured: bool,
                through_someone_elses_shop: bool) -> OrderLine:
    unit = card.exclusive_price_cents if is_featured else card.list_price_cents
    rate = card.commission_rate_bp if is_featured and through_someone_elses_shop else 0
    return OrderLine(
        product_id=item.product_id,
        quantity=item.quantity,
        unit_price_cents=unit,
        featured=is_featured,
        commission_rate_bp=rate,
        commission_cents=commission_cents(unit, item.quantity, rate),
    )
