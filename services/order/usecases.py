"""The order service's use cases: each opens a unit of work (or, called by an event handler,
runs in the one the inbox opened), loads through the store, asks the domain, saves, and
tracks what it saved (`uow.track`): the events the domain objects recorded go to the outbox
when the unit of work ends, in the same transaction. Nothing here emits by hand.

Views, event handlers and periodic jobs all come through here, so a rule such as "book the
commission when an order is paid" lives in one place whatever triggered it. Views call one
use case each and hold no SQL; handlers decode an event and call one.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared.db import Database, UnitOfWork
from shared.failures import Conflict, NotFound, Unprocessable
from shared.owners import OwnerUnavailable, Owners
from shared.principal import Principal
from shared.sql import new_id

from services.order import store
from services.order.domain import (PAYMENT_WINDOW, Attribution, Balance, CancellationReason, CatalogTerms,
                                   CommissionEntry, ItemRequest, Order, OrderStatus, ProductCard, RejectionReason,
                                   Withdrawal, WithdrawalStatus, balance_of, book_commission, check_items,
                                   ensure_payer, ensure_visible_to, place, request_withdrawal)
from services.order.providers import PaymentProvider, PayoutFailed, PayoutProvider
from services.order.settling import SETTLED_TOPIC, SettleWaiter

log = logging.getLogger("gwh.order")


# --- placing ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceOrder:
    buyer_id: str
    shop_id: str | None
    items: tuple[ItemRequest, ...]
    idempotency_key: str | None = None
    expected_total_cents: int | None = None

    def fingerprint(self) -> str:
        body = {"shop_id": self.shop_id, "items": [[i.product_id, i.quantity] for i in self.items]}
        if self.expected_total_cents is not None:
            body["expected_total_cents"] = self.expected_total_cents
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def place_order(db: Database, command: PlaceOrder, now: datetime, *, settling: SettleWaiter | None = None,
                wait: float = 0.0) -> tuple[Order, bool]:
    """The new order, or the one this Idempotency-Key already made; (order, replayed).

    The order is placed pending and unpriced, whatever the order service's projections say:
    the catalog prices and reserves it, the shop attributes it (docs/owners-decide.md).
    With a `settling` waiter and `wait` seconds, it then waits that long at most for the
    owners' answers, and returns the order as they left it (still pending if they did not
    answer in time)."""
    order, replayed = _place(db, command, now)
    if order.status is OrderStatus.PENDING and settling is not None and wait > 0:
        settling.wait_until(lambda: _settled(db, order.id), wait)
        with db.reading() as conn:
            order = store.order_by_id(conn, order.id) or order
    return order, replayed


def _settled(db: Database, order_id: str) -> bool:
    with db.reading() as conn:
        status = store.order_status(conn, order_id)
    return status is not OrderStatus.PENDING


def _place(db: Database, command: PlaceOrder, now: datetime) -> tuple[Order, bool]:
    check_items(command.items)                       # bad input stores nothing
    try:
        with db.unit_of_work() as uow:
            earlier = _replay(uow.conn, command)
            if earlier is not None:
                return earlier, True
            order = place(new_id(), command.buyer_id, command.shop_id, command.items, now,
                          expected_total_cents=command.expected_total_cents)
            store.add_order(uow.conn, order, command.idempotency_key,
                            command.fingerprint() if command.idempotency_key else None)
            uow.track(order)                         # its order.placed asks the owners
            return order, False
    except IntegrityError:
        # The same key, at the same moment, from another request that committed first: its
        # order (and its one order.placed) stands, ours rolled back with its event.
        if command.idempotency_key is None:
            raise
        with db.reading() as conn:
            earlier = _replay(conn, command)
        if earlier is None:
            raise
        return earlier, True


def _replay(conn: Connection, command: PlaceOrder) -> Order | None:
    if command.idempotency_key is None:
        return None
    found = store.order_by_idempotency_key(conn, command.buyer_id, command.idempotency_key)
    if found is None:
        return None
    order, fingerprint = found
    if fingerprint != command.fingerprint():
        raise Conflict("this Idempotency-Key was already used for a different order", order_id=order.id)
    return order


# --- the buyer's moves --------------------------------------------------------------------
def get_order(db: Database, order_id: str, actor: Principal) -> Order:
    with db.reading() as conn:
        return _visible(store.order_by_id(conn, order_id), order_id, actor)


def list_orders(db: Database, actor: Principal, page: int, per_page: int) -> tuple[list[Order], int]:
    with db.reading() as conn:
        return store.orders_of(conn, actor.member_id, page, per_page)


def pay_order(db: Database, payments: PaymentProvider, order_id: str, actor: Principal, method: str,
              now: datetime, owners: Owners | None = None) -> Order:
    if method not in payments.methods:
        raise Unprocessable("unsupported payment method",
                            errors={"method": [f"one of: {', '.join(sorted(payments.methods))}"]})
    _cancel_if_delisted(db, owners, order_id, actor, now)
    with db.unit_of_work() as uow:
        order = _visible(store.order_by_id(uow.conn, order_id, for_update=True), order_id, actor)
        ensure_payer(order, actor.member_id)
        expired = order.expire(now)
        if not expired:
            order.ensure_payable(now)
            # Charged inside the transaction that holds the order's lock, so two payments of
            # one order cannot both charge; the key makes a retry after a crash charge once.
            reference = payments.charge(idempotency_key=f"order-{order.id}", amount_cents=order.total_cents,
                                        method=method)
            order.pay(now, reference)
            _book_commission(uow, order, now)
        _save(uow, order)
    if expired:
        # The expiry job had not come round yet; the cancellation above is committed.
        raise Conflict(f"order {order_id} was not paid within 30 minutes and has been cancelled",
                       order_status=order.status.value)
    return order


def _cancel_if_delisted(db: Database, owners: Owners | None, order_id: str, actor: Principal,
                        now: datetime) -> None:
    """Before charging: is every product still listed? The catalog owns that fact, so it is
    asked (the delisting event may still be on its way); where it cannot answer, the
    order service's own copy still proves a delisting it has seen. A product delisted since
    it was reserved cancels the order (stock back, buyer told why) and the payment is a 409."""
    order = get_order(db, order_id, actor)
    if order.status is not OrderStatus.AWAITING_PAYMENT or not order.terms:
        return                                        # ensure_payable answers the others
    delisted = _delisted_since(db, owners, order)
    if not delisted:
        return
    with db.unit_of_work() as uow:
        order = store.order_by_id(uow.conn, order_id, for_update=True)
        if order is None:
            return
        if any([order.product_delisted(pid, revision, now) for pid, revision in sorted(delisted.items())]):
            _save(uow, order)
    if order.cancellation_reason is CancellationReason.DELISTED:
        raise Conflict(f"order {order_id} cannot be paid: a product of it was delisted, and the order is cancelled",
                       order_status=order.status.value, cancellation_reason=order.cancellation_reason.value)


def _delisted_since(db: Database, owners: Owners | None, order: Order) -> dict[str, int]:
    """product_id -> delisting revision, for the order's products delisted after they were reserved."""
    with db.reading() as conn:
        delisted = store.delisted_revisions(conn, order.terms)
    for product_id in (order.terms if owners is not None else ()):
        try:
            product = owners.product(product_id)
        except OwnerUnavailable as exc:
            log.warning("paying order %s: %s; the order service's own copy decides", order.id, exc.detail)
            break
        if product is not None and product.get("status") == "delisted":
            delisted[product_id] = max(delisted.get(product_id, 0), int(product.get("revision") or 0))
    return {pid: revision for pid, revision in delisted.items()
            if pid in order.terms and order.terms[pid].revision < revision}


def cancel_order(db: Database, order_id: str, actor: Principal, now: datetime) -> Order:
    with db.unit_of_work() as uow:
        order = _visible(store.order_by_id(uow.conn, order_id, for_update=True), order_id, actor)
        order.cancel(now)
        _save(uow, order)
    return order


def refund_order(db: Database, payments: PaymentProvider, order_id: str, actor: Principal,
                 now: datetime) -> Order:
    with db.unit_of_work() as uow:
        order = _visible(store.order_by_id(uow.conn, order_id, for_update=True), order_id, actor)
        order.ensure_refundable(now)
        reference = payments.refund(idempotency_key=f"refund-{order.id}", charge_reference=order.payment_reference,
                                    amount_cents=order.total_cents)
        order.refund(now, reference)
        _take_back_commission(uow, order, now)
        _save(uow, order)
    return order


def _visible(order: Order | None, order_id: str, actor: Principal) -> Order:
    if order is None:
        raise NotFound(f"no order {order_id}")
    ensure_visible_to(order, actor.member_id, actor.is_admin)
    return order


def _save(uow: UnitOfWork, order: Order) -> None:
    store.save_order(uow.conn, order)
    uow.track(order)


def _save_answer(uow: UnitOfWork, order: Order, was_pending: bool) -> None:
    """Save an order after an owner's answer; if that settled it, the API process whose
    POST /api/orders waits for it hears so at commit (services/order/settling.py)."""
    _save(uow, order)
    if was_pending and order.status is not OrderStatus.PENDING:
        uow.signal(SETTLED_TOPIC, order.id)


# --- the saga: the owners' answers (called by the event handlers) -------------------------
def stock_reserved(uow: UnitOfWork, order_id: str, terms: dict[str, CatalogTerms]) -> None:
    """The catalog reserved every line of the order, at these terms (its prices, its revision)."""
    order = store.order_by_id(uow.conn, order_id, for_update=True)
    if order is None:
        log.warning("stock reserved for an order this service never placed: %s", order_id)
        return
    was_pending = order.status is OrderStatus.PENDING
    order.stock_reserved(uow.now(), terms)
    # A delisting this service has already seen, newer than the reservation, proves the
    # order must not be paid: cancel it now (the catalog's event overtook its answer).
    for product_id, revision in sorted(store.delisted_revisions(uow.conn, terms).items()):
        order.product_delisted(product_id, revision, uow.now())
    _save_answer(uow, order, was_pending)


def stock_rejected(uow: UnitOfWork, order_id: str, reason: RejectionReason) -> None:
    """The catalog reserved nothing for the order, and says why."""
    order = store.order_by_id(uow.conn, order_id, for_update=True)
    if order is None:
        log.warning("stock rejected for an order this service never placed: %s", order_id)
        return
    was_pending = order.status is OrderStatus.PENDING
    order.stock_rejected(reason, uow.now())
    _save_answer(uow, order, was_pending)


def attribution_answered(uow: UnitOfWork, order_id: str, attribution: Attribution) -> None:
    """The shop service said which of the order's products its shop features (or that it has no such shop)."""
    order = store.order_by_id(uow.conn, order_id, for_update=True)
    if order is None:
        log.warning("attribution for an order this service never placed: %s", order_id)
        return
    was_pending = order.status is OrderStatus.PENDING
    order.attribution_answered(attribution, uow.now())
    _save_answer(uow, order, was_pending)


def product_delisted(uow: UnitOfWork, product_id: str, revision: int) -> None:
    """The catalog delisted a product: its unpaid orders are cancelled (stock back, the
    buyer told why); paid orders stand. New orders for it are the catalog's to reject."""
    store.mark_card_delisted(uow.conn, product_id, revision)
    for order_id in store.unpaid_order_ids_with_product(uow.conn, product_id):
        order = store.order_by_id(uow.conn, order_id, for_update=True)
        was_pending = order is not None and order.status is OrderStatus.PENDING
        if order is not None and order.product_delisted(product_id, revision, uow.now()):
            _save_answer(uow, order, was_pending)


# --- projections (called by the event handlers) -------------------------------------------
def card_changed(uow: UnitOfWork, card: ProductCard, revision: int) -> None:
    """The catalog listed, changed or relisted a product: keep the newest card (by revision)."""
    store.upsert_card(uow.conn, card, revision)


# --- periodic jobs ------------------------------------------------------------------------
def expire_unpaid_orders(db: Database, now: datetime) -> int:
    """Cancel every order unpaid for 30 minutes, one transaction each; how many it cancelled."""
    with db.reading() as conn:
        candidates = store.unpaid_order_ids_created_before(conn, now - PAYMENT_WINDOW)
    cancelled = 0
    for order_id in candidates:
        with db.unit_of_work() as uow:
            order = store.order_by_id(uow.conn, order_id, for_update=True)
            if order is not None and order.expire(now):   # paid meanwhile? then it stays paid
                _save(uow, order)
                cancelled += 1
    return cancelled


def settle_commissions(db: Database, now: datetime) -> int:
    """Settle every commission whose refund window has closed; how many it settled."""
    with db.reading() as conn:
        candidates = store.due_entry_ids(conn, now)
    settled = 0
    for entry_id in candidates:
        with db.unit_of_work() as uow:
            entry = store.entry_by_id(uow.conn, entry_id, for_update=True)
            if entry is not None and entry.settle(now):     # refunded meanwhile? not due
                store.save_entry(uow.conn, entry)
                uow.track(entry)                             # order.commission.settled
                settled += 1
    return settled


def retry_payouts(db: Database, payouts: PayoutProvider, now: datetime) -> int:
    """Pay every approved withdrawal whose payout has not gone through yet."""
    with db.reading() as conn:
        candidates = store.approved_withdrawal_ids(conn)
    return sum(pay_out(db, payouts, wid, now).status is WithdrawalStatus.PAID for wid in candidates)


# --- the commission ledger ----------------------------------------------------------------
def _book_commission(uow: UnitOfWork, order: Order, now: datetime) -> None:
    entry = book_commission(order, new_id())
    if entry is not None:
        store.open_account(uow.conn, entry.earner_id, now)
        store.add_entry(uow.conn, entry)


def _take_back_commission(uow: UnitOfWork, order: Order, now: datetime) -> None:
    entry = store.commission_of_order(uow.conn, order.id, for_update=True)
    if entry is None:
        return
    clawback = entry.take_back(now, new_id())
    store.save_entry(uow.conn, entry)
    if clawback is not None:
        store.add_entry(uow.conn, clawback)


@dataclass(frozen=True)
class Statement:
    balance: Balance
    entries: list[CommissionEntry]
    withdrawals: list[Withdrawal]


def statement(db: Database, member_id: str) -> Statement:
    with db.reading() as conn:
        entries, withdrawals = store.entries_of(conn, member_id), store.withdrawals_of(conn, member_id)
    return Statement(balance_of(entries, withdrawals), entries, withdrawals)


def _balance(conn: Connection, member_id: str) -> Balance:
    return balance_of(store.entries_of(conn, member_id), store.withdrawals_of(conn, member_id))


# --- withdrawals --------------------------------------------------------------------------
def ask_withdrawal(db: Database, member_id: str, amount_cents: int, now: datetime) -> Withdrawal:
    with db.unit_of_work() as uow:
        # The account lock makes two requests at the same moment see each other's hold.
        has_account = store.lock_account(uow.conn, member_id)
        balance = _balance(uow.conn, member_id) if has_account else balance_of([])
        withdrawal = request_withdrawal(new_id(), member_id, amount_cents, balance, now)
        store.add_withdrawal(uow.conn, withdrawal)
    return withdrawal


def list_withdrawals(db: Database, status: str | None, page: int, per_page: int) -> tuple[list[Withdrawal], int]:
    with db.reading() as conn:
        return store.withdrawals_page(conn, status, page, per_page)


def approve_withdrawal(db: Database, payouts: PayoutProvider, withdrawal_id: str, admin: Principal,
                       now: datetime) -> Withdrawal:
    with db.unit_of_work() as uow:
        withdrawal = _withdrawal(uow.conn, withdrawal_id)
        store.lock_account(uow.conn, withdrawal.member_id)
        withdrawal.approve(now, admin.member_id, _balance(uow.conn, withdrawal.member_id))
        store.save_withdrawal(uow.conn, withdrawal)
    # Approval is committed first: if the payout fails now, the job retries it later.
    return pay_out(db, payouts, withdrawal_id, now)


def reject_withdrawal(db: Database, withdrawal_id: str, admin: Principal, reason: str | None,
                      now: datetime) -> Withdrawal:
    with db.unit_of_work() as uow:
        withdrawal = _withdrawal(uow.conn, withdrawal_id)
        withdrawal.reject(now, admin.member_id, reason or None)
        store.save_withdrawal(uow.conn, withdrawal)
    return withdrawal


def pay_out(db: Database, payouts: PayoutProvider, withdrawal_id: str, now: datetime) -> Withdrawal:
    with db.unit_of_work() as uow:
        withdrawal = _withdrawal(uow.conn, withdrawal_id)
        if withdrawal.status is not WithdrawalStatus.APPROVED:
            return withdrawal                         # paid by a concurrent attempt
        try:
            reference = payouts.transfer(transfer_id=withdrawal.transfer_id, member_id=withdrawal.member_id,
                                         amount_cents=withdrawal.amount_cents)
        except PayoutFailed as exc:
            log.warning("payout of withdrawal %s failed, retried later: %s", withdrawal.id, exc)
            return withdrawal
        withdrawal.mark_paid(now, reference)
        store.save_withdrawal(uow.conn, withdrawal)
    return withdrawal


def _withdrawal(conn: Connection, withdrawal_id: str) -> Withdrawal:
    withdrawal = store.withdrawal_by_id(conn, withdrawal_id, for_update=True)
    if withdrawal is None:
        raise NotFound(f"no withdrawal {withdrawal_id}")
    return withdrawal
