"""Request and response shapes of the order API; they also make its OpenAPI document.

Item counts, quantities and the smallest withdrawal are the domain's rules
(services.order.domain), checked there so the 422 names the rule; the schemas check types
and sizes, and state those rules in the document with the domain's own numbers, so what
the document calls valid is what the server accepts.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.validation import FreeText, Integer, Moment
from shared.http import PageQuery, page_schema

from services.order.domain import (MAX_LINES, MAX_QUANTITY, MIN_WITHDRAWAL_CENTS, CancellationReason, OrderStatus,
                                   RejectionReason, WithdrawalStatus)
from services.order.providers import SimulatedPaymentProvider

# 20 lines x 99 x the catalog's largest price, rounded up: a bound, not a business rule.
MAX_EXPECTED_TOTAL = 10 ** 12

Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731


class ItemIn(Schema):
    product_id = Id(required=True)
    quantity = Integer(required=True, strict=True, metadata={"minimum": 1, "maximum": MAX_QUANTITY})


class OrderCreate(Schema):
    items = fields.List(fields.Nested(ItemIn), required=True, metadata={
        "minItems": 1, "maxItems": MAX_LINES, "uniqueItems": True,
        "description": "one line per product: two lines naming one product are refused (422)"})
    shop_id = Id(load_default=None, allow_none=True)
    expected_total_cents = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=MAX_EXPECTED_TOTAL),
        metadata={"description": "the total the buyer saw; if the catalog's and the shop's answers make "
                                 "another, the order is rejected with price_changed and shows the current figures"})


class IdempotencyHeader(Schema):
    # Printable ASCII without spaces: a UUID or any client-chosen token.
    idempotency_key = fields.String(data_key="Idempotency-Key", load_default=None,
                                    validate=validate.Regexp(r"^[\x21-\x7e]{1,128}$",
                                                             error="1-128 printable characters, no spaces"))


class PayBody(Schema):
    # The methods of the payment provider the platform ships (the use case asks the
    # provider in use); one that plugs in another provider documents its methods here.
    method = fields.String(load_default="simulated", validate=validate.Length(min=1, max=32),
                           metadata={"enum": sorted(SimulatedPaymentProvider.methods)})


class OrderItem(Schema):
    product_id = fields.String()
    quantity = fields.Integer()
    unit_price_cents = fields.Integer(allow_none=True)
    featured = fields.Boolean(metadata={"description": "priced at the exclusive price of the shop featuring it"})
    commission_cents = fields.Integer()


class Order(Schema):
    id = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in OrderStatus]})
    buyer_id = fields.String()
    shop_id = fields.String(allow_none=True)
    items = fields.List(fields.Nested(OrderItem))
    total_cents = fields.Integer(allow_none=True, metadata={"description": "null until the owners priced it"})
    commission_cents = fields.Integer(allow_none=True)
    expected_total_cents = fields.Integer(allow_none=True)
    waiting_for = fields.List(fields.String(), metadata={
        "description": "while pending: whose answer the order still waits for (catalog, shop)"})
    rejection_reason = fields.String(allow_none=True, metadata={"enum": [r.value for r in RejectionReason]})
    cancellation_reason = fields.String(allow_none=True, metadata={"enum": [r.value for r in CancellationReason]})
    created_at = Moment()
    expires_at = Moment(allow_none=True, metadata={"description": "unpaid orders are cancelled then"})
    paid_at = Moment(allow_none=True)
    refundable_until = Moment(allow_none=True)
    cancelled_at = Moment(allow_none=True)
    refunded_at = Moment(allow_none=True)


class CommissionEntry(Schema):
    id = fields.String()
    order_id = fields.String()
    kind = fields.String(metadata={"description": "commission, or clawback (a refund after settlement)"})
    amount_cents = fields.Integer()
    status = fields.String()
    booked_at = Moment()
    settles_at = Moment(allow_none=True)
    settled_at = Moment(allow_none=True)
    reversed_at = Moment(allow_none=True)


class CommissionStatement(Schema):
    pending_cents = fields.Integer()
    settled_cents = fields.Integer()
    reversed_cents = fields.Integer()
    requested_cents = fields.Integer(metadata={"description": "withdrawals asked for or approved, not paid out yet"})
    withdrawn_cents = fields.Integer(metadata={"description": "withdrawals paid out"})
    available_cents = fields.Integer()
    items = fields.List(fields.Nested(CommissionEntry))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class WithdrawalCreate(Schema):
    amount_cents = Integer(required=True, strict=True, metadata={"minimum": MIN_WITHDRAWAL_CENTS})


class WithdrawalReject(Schema):
    reason = FreeText(load_default="", validate=validate.Length(max=300))


class WithdrawalQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in WithdrawalStatus]))


class Withdrawal(Schema):
    id = fields.String()
    member_id = fields.String()
    amount_cents = fields.Integer()
    status = fields.String()
    transfer_id = fields.String()
    requested_at = Moment()
    decided_at = Moment(allow_none=True)
    decided_by = fields.String(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    paid_at = Moment(allow_none=True)
    payout_reference = fields.String(allow_none=True)


OrderPage = page_schema(Order, "OrderPage")
WithdrawalPage = page_schema(Withdrawal, "WithdrawalPage")
