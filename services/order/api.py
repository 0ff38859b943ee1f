"""The order API (CONTRACT.md "Orders and commissions"): each view parses the request, calls
one use case (services/order/usecases.py) with what the service's context holds (its
database, clock, providers: services/order/context.py), and presents the answer. No SQL,
no transaction, no event here; a refusal the use case raises becomes its problem+json in
shared/errors.py."""
from __future__ import annotations

from dataclasses import asdict


from shared.auth import require_principal, require_role
from shared.http import Blueprint, page_of

from services.order import schemas, usecases
from services.order.context import context
from services.order.domain import RETRY_PENDING_SECONDS, ItemRequest, Order, OrderStatus, Withdrawal

orders_blp = Blueprint("orders", __name__, url_prefix="/api/orders",
                       description="Orders: placing, paying, cancelling, refunding.")
commissions_blp = Blueprint("commissions", __name__, url_prefix="/api/commissions",
                            description="The commission ledger and withdrawals.")
BEARER = [{"bearer": []}]


# --- presenting ---------------------------------------------------------------------------
def order_view(order: Order) -> dict:
    priced = order.is_priced
    return {
        "id": order.id, "status": order.status.value, "buyer_id": order.buyer_id, "shop_id": order.shop_id,
        "items": [{"product_id": line.product_id, "quantity": line.quantity,
                   "unit_price_cents": line.unit_price_cents, "featured": line.featured,
                   "commission_cents": line.commission_cents} for line in order.lines],
        "total_cents": order.total_cents if priced else None,
        "commission_cents": order.commission_cents if priced else None,
        "expected_total_cents": order.expected_total_cents,
        "waiting_for": waiting_for(order),
        "rejection_reason": order.rejection_reason.value if order.rejection_reason else None,
        "cancellation_reason": order.cancellation_reason.value if order.cancellation_reason else None,
        "created_at": order.created_at,
        "expires_at": order.expires_at if order.status in (OrderStatus.PENDING, OrderStatus.AWAITING_PAYMENT)
        else None,
        "paid_at": order.paid_at, "refundable_until": order.refundable_until,
        "cancelled_at": order.cancelled_at, "refunded_at": order.refunded_at,
    }


def waiting_for(order: Order) -> list[str]:
    if order.status is not OrderStatus.PENDING:
        return []
    return [owner for owner, waiting in (("catalog", order.reserved_at is None),
                                         ("shop", order.awaits_attribution)) if waiting]


def withdrawal_view(withdrawal: Withdrawal) -> dict:
    return {**asdict(withdrawal), "status": withdrawal.status.value, "transfer_id": withdrawal.transfer_id}


# --- orders -------------------------------------------------------------------------------
@orders_blp.post("")
@orders_blp.arguments(schemas.IdempotencyHeader, location="headers")
@orders_blp.arguments(schemas.OrderCreate)
@orders_blp.response(201, schemas.Order)
@orders_blp.alt_response(202, schema=schemas.Order, description="still pending after the wait: ask again at "
                         "`Location` after `Retry-After` seconds")
@orders_blp.alt_response(409, response="CONFLICT")
@orders_blp.doc(security=BEARER)
def place_order(headers, body):
    """Place an order; the catalog prices and reserves it, the shop it came through attributes it.

    The answer waits briefly (GWH_ORDER_SETTLE_WAIT) for both: 201 with the order
    `awaiting_payment` (priced by them) or `rejected` (with the reason), else 202 with the
    order `pending`, `Location` and `Retry-After`. The same `Idempotency-Key` from the same
    buyer returns the same order (and reserves once); reused for a different order it is a 409.
    """
    buyer = require_principal()
    ctx = context()
    command = usecases.PlaceOrder(buyer_id=buyer.member_id, shop_id=body["shop_id"],
                                  items=tuple(ItemRequest(i["product_id"], i["quantity"]) for i in body["items"]),
                                  idempotency_key=headers["idempotency_key"],
                                  expected_total_cents=body["expected_total_cents"])
    order, replayed = usecases.place_order(ctx.db, command, ctx.clock.now(), settling=ctx.settling,
                                           wait=ctx.config.order_settle_wait)
    extra = {"Idempotent-Replayed": "true"} if replayed else {}
    if order.status is OrderStatus.PENDING:
        return order_view(order), 202, {**extra, "Location": f"/api/orders/{order.id}",
                                        "Retry-After": str(RETRY_PENDING_SECONDS)}
    return order_view(order), 201, extra


@orders_blp.get("")
@orders_blp.arguments(schemas.PageQuery, location="query")
@orders_blp.response(200, schemas.OrderPage)
@orders_blp.doc(security=BEARER)
def list_orders(query):
    """The caller's orders, newest first."""
    buyer = require_principal()
    orders, total = usecases.list_orders(context().db, buyer, query["page"], query["per_page"])
    return page_of([order_view(o) for o in orders], query["page"], query["per_page"], total)


@orders_blp.get("/<order_id>")
@orders_blp.response(200, schemas.Order)
@orders_blp.alt_response(403, response="FORBIDDEN")
@orders_blp.alt_response(404, response="NOT_FOUND")
@orders_blp.doc(security=BEARER)
def get_order(order_id):
    """One order (its buyer, or an admin)."""
    actor = require_principal()
    return order_view(usecases.get_order(context().db, order_id, actor))


@orders_blp.post("/<order_id>/pay")
@orders_blp.arguments(schemas.PayBody)
@orders_blp.response(200, schemas.Order)
@orders_blp.alt_response(403, response="FORBIDDEN")
@orders_blp.alt_response(404, response="NOT_FOUND")
@orders_blp.alt_response(409, response="CONFLICT")
@orders_blp.doc(security=BEARER)
def pay_order(body, order_id):
    """Pay an order awaiting payment, within 30 minutes of placing it.

    409 with Retry-After while it is pending; 409 when a product of it was delisted since
    (the order is then cancelled, `cancellation_reason` delisted)."""
    actor = require_principal()
    ctx = context()
    return order_view(usecases.pay_order(ctx.db, ctx.payments, order_id, actor, body["method"], ctx.clock.now(),
                                         owners=ctx.owners))


@orders_blp.post("/<order_id>/cancel")
@orders_blp.response(200, schemas.Order)
@orders_blp.alt_response(403, response="FORBIDDEN")
@orders_blp.alt_response(404, response="NOT_FOUND")
@orders_blp.alt_response(409, response="CONFLICT")
@orders_blp.doc(security=BEARER)
def cancel_order(order_id):
    """Cancel an order awaiting payment; its stock goes back to the catalog."""
    actor = require_principal()
    ctx = context()
    return order_view(usecases.cancel_order(ctx.db, order_id, actor, ctx.clock.now()))


@orders_blp.post("/<order_id>/refund")
@orders_blp.response(200, schemas.Order)
@orders_blp.alt_response(403, response="FORBIDDEN")
@orders_blp.alt_response(404, response="NOT_FOUND")
@orders_blp.alt_response(409, response="CONFLICT")
@orders_blp.doc(security=BEARER)
def refund_order(order_id):
    """Refund a paid order within 7 days of payment; stock and commission are given back."""
    actor = require_principal()
    ctx = context()
    return order_view(usecases.refund_order(ctx.db, ctx.payments, order_id, actor, ctx.clock.now()))


# --- commissions --------------------------------------------------------------------------
@commissions_blp.get("/me")
@commissions_blp.arguments(schemas.PageQuery, location="query")
@commissions_blp.response(200, schemas.CommissionStatement)
@commissions_blp.doc(security=BEARER)
def my_commissions(query):
    """What the caller earned through their shop: balances and the ledger entries (a page)."""
    member = require_principal()
    statement = usecases.statement(context().db, member.member_id)
    start = (query["page"] - 1) * query["per_page"]
    entries = [{**asdict(e), "kind": e.kind.value, "status": e.status.value}
               for e in statement.entries[start:start + query["per_page"]]]
    return {**asdict(statement.balance),
            **page_of(entries, query["page"], query["per_page"], len(statement.entries))}


@commissions_blp.post("/me/withdrawals")
@commissions_blp.arguments(schemas.WithdrawalCreate)
@commissions_blp.response(201, schemas.Withdrawal)
@commissions_blp.alt_response(409, response="CONFLICT")
@commissions_blp.doc(security=BEARER)
def ask_withdrawal(body):
    """Ask to be paid part of the settled balance (at least 100 cents); an admin decides."""
    member = require_principal()
    ctx = context()
    return withdrawal_view(usecases.ask_withdrawal(ctx.db, member.member_id, body["amount_cents"], ctx.clock.now()))


@commissions_blp.get("/me/withdrawals")
@commissions_blp.arguments(schemas.PageQuery, location="query")
@commissions_blp.response(200, schemas.WithdrawalPage)
@commissions_blp.doc(security=BEARER)
def my_withdrawals(query):
    """The caller's withdrawals, newest first (a page, like every list)."""
    member = require_principal()
    withdrawals = usecases.statement(context().db, member.member_id).withdrawals
    start = (query["page"] - 1) * query["per_page"]
    return page_of([withdrawal_view(w) for w in withdrawals[start:start + query["per_page"]]],
                   query["page"], query["per_page"], len(withdrawals))


@commissions_blp.get("/withdrawals")
@commissions_blp.arguments(schemas.WithdrawalQuery, location="query")
@commissions_blp.response(200, schemas.WithdrawalPage)
@commissions_blp.alt_response(403, response="FORBIDDEN")
@commissions_blp.doc(security=BEARER)
def list_withdrawals(query):
    """Every member's withdrawals, oldest first, e.g. `?status=requested` (admin)."""
    require_role("admin")
    items, total = usecases.list_withdrawals(context().db, query["status"], query["page"], query["per_page"])
    return page_of([withdrawal_view(w) for w in items], query["page"], query["per_page"], total)


@commissions_blp.post("/withdrawals/<withdrawal_id>/approve")
@commissions_blp.response(200, schemas.Withdrawal)
@commissions_blp.alt_response(403, response="FORBIDDEN")
@commissions_blp.alt_response(404, response="NOT_FOUND")
@commissions_blp.alt_response(409, response="CONFLICT")
@commissions_blp.doc(security=BEARER)
def approve_withdrawal(withdrawal_id):
    """Approve a requested withdrawal and pay it out (admin); a failed payout is retried."""
    admin = require_role("admin")
    ctx = context()
    return withdrawal_view(usecases.approve_withdrawal(ctx.db, ctx.payouts, withdrawal_id, admin, ctx.clock.now()))


@commissions_blp.post("/withdrawals/<withdrawal_id>/reject")
@commissions_blp.arguments(schemas.WithdrawalReject)
@commissions_blp.response(200, schemas.Withdrawal)
@commissions_blp.alt_response(403, response="FORBIDDEN")
@commissions_blp.alt_response(404, response="NOT_FOUND")
@commissions_blp.alt_response(409, response="CONFLICT")
@commissions_blp.doc(security=BEARER)
def reject_withdrawal(body, withdrawal_id):
    """Reject a requested withdrawal (admin); its amount is available again."""
    admin = require_role("admin")
    ctx = context()
    return withdrawal_view(usecases.reject_withdrawal(ctx.db, withdrawal_id, admin, body["reason"], ctx.clock.now()))
