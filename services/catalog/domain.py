"""The catalog's rules: who manages a brand's products, prices, listing, stock reservations.

Pure functions over plain values: no Flask, no SQL, no broker.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping

from shared.principal import Principal
from shared.failures import Conflict, Forbidden, Unprocessable

PRICE_WINDOW = timedelta(days=30)
MAX_COMMISSION_BP = 5000
LISTED, DELISTED = "listed", "delisted"


# --- who may do what ----------------------------------------------------------------------
def ensure_can_create_brand(principal: Principal) -> None:
    # Brands are invited, not self-service: the article's curated brand library.
    if not principal.is_admin:
        raise Forbidden("only an admin creates brands")


def ensure_can_manage(principal: Principal, brand_id: str) -> None:
    """A brand's products are managed by that brand's merchants, or an admin; no one else."""
    if principal.is_admin or principal.is_merchant_of(brand_id):
        return
    raise Forbidden("only a merchant of this product's brand, or an admin, may do this")


# --- prices -------------------------------------------------------------------------------
def check_prices(list_price_cents: int, exclusive_price_cents: int, commission_rate_bp: int) -> None:
    """The cross-field rules; field ranges are the schema's job."""
    errors: dict[str, list[str]] = {}
    if exclusive_price_cents > list_price_cents:
        errors["exclusive_price_cents"] = ["must not be above list_price_cents"]
    if not 0 <= commission_rate_bp <= MAX_COMMISSION_BP:
        errors["commission_rate_bp"] = [f"must be between 0 and {MAX_COMMISSION_BP}"]
    if errors:
        raise Unprocessable("the prices are inconsistent", errors=errors)


def lowest_price(changes: Iterable[tuple[datetime, int]], now: datetime) -> int | None:
    """The lowest exclusive price in effect at any moment of the last 30 days.

    `changes` are (effective_at, price) pairs. A price set before the window still counts
    if it was the one in effect when the window opened: a price dropped 40 days ago and
    raised 10 days ago was on sale 29 days ago.
    """
    start = now - PRICE_WINDOW
    in_effect_at_start: tuple[datetime, int] | None = None
    lowest: int | None = None
    for effective_at, price in changes:
        if effective_at > now:
            continue
        if effective_at <= start:
            if in_effect_at_start is None or effective_at >= in_effect_at_start[0]:
                in_effect_at_start = (effective_at, price)
        else:
            lowest = price if lowest is None else min(lowest, price)
    if in_effect_at_start is not None:
        lowest = in_effect_at_start[1] if lowest is None else min(lowest, in_effect_at_start[1])
    return lowest


def price_changed(before: Mapping, after: Mapping) -> bool:
    return (before["list_price_cents"], before["exclusive_price_cents"]) != \
        (after["list_price_cents"], after["exclusive_price_cents"])


# --- listing ------------------------------------------------------------------------------
def delist(status: str) -> str:
    if status == DELISTED:
        raise Conflict("the product is already delisted")
    return DELISTED


def relist(status: str) -> str:
    if status == LISTED:
        raise Conflict("the product is already listed")
    return LISTED


# --- stock reservations -------------------------------------------------------------------
@dataclass(frozen=True)
class Rejection:
    reason: str  # out_of_stock | delisted | unknown_product
    product_id: str


def merge_items(items: Iterable[Mapping]) -> dict[str, int]:
    """product_id -> quantity, lines of one product added together."""
    merged: dict[str, int] = {}
    for item in items:
        merged[item["product_id"]] = merged.get(item["product_id"], 0) + int(item["quantity"])
    return merged


def check_reservation(wanted: Mapping[str, int], products: Mapping[str, Mapping]) -> Rejection | None:
    """Can every item be reserved? All or nothing: the first blocking item is the reason.

    An unknown product outranks a delisted one, which outranks missing stock, so a client
    is told the reason that a retry cannot fix first.
    """
    for reason, blocked in (
        ("unknown_product", lambda pid, qty: pid not in products),
        ("delisted", lambda pid, qty: products[pid]["status"] != LISTED),
        ("out_of_stock", lambda pid, qty: products[pid]["stock"] < qty),
    ):
        for product_id, quantity in sorted(wanted.items()):
            if blocked(product_id, quantity):
                return Rejection(reason, product_id)
    return None


def reserved_terms(wanted: Mapping[str, int], products: Mapping[str, Mapping]) -> list[dict]:
    """The reservation answer's lines: what each product was reserved at, which is the
    price the order charges (the catalog owns it)."""
    return [{"product_id": pid, "quantity": qty, "list_price_cents": products[pid]["list_price_cents"],
             "exclusive_price_cents": products[pid]["exclusive_price_cents"],
             "commission_rate_bp": products[pid]["commission_rate_bp"], "revision": products[pid]["revision"]}
            for pid, qty in sorted(wanted.items())]


def brand_key(name: str) -> str:
    """What makes two brand names the same: NFC-normalised, case-folded. The duplicate
    check and the unique index both use it, so they cannot disagree."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
