"""The order domain, pure: no Flask, no SQL, no broker. Every time rule takes `now`.

- orders: the order state machine, the owners' answers in the saga, the 30-minute expiry
- pricing: exclusive vs list price, item rules, commission per line
- commissions: the ledger (pending -> settled | reversed, clawbacks) and balances
- withdrawals: paying out settled commission, with admin approval
"""
from .commissions import (Balance, CommissionEntry, EntryKind, EntryStatus, SETTLEMENT_DELAY,
                          balance_of, book_commission, settle_due)
from .events import (CommissionSettled, OrderCancelled, OrderEvent, OrderPaid, OrderPlaced,
                     OrderRefunded)
from .orders import (PAYMENT_WINDOW, REFUND_WINDOW, RETRY_PENDING_SECONDS, Attribution, CancellationReason, Order,
                     OrderLine, OrderStatus, RejectionReason, ensure_payer, ensure_visible_to, is_expired, place)
from .pricing import (MAX_LINES, MAX_QUANTITY, CatalogTerms, ItemRequest, ProductCard, check_items,
                      commission_cents, earns_commission, price_lines)
from .withdrawals import MIN_WITHDRAWAL_CENTS, Withdrawal, WithdrawalStatus, request_withdrawal

__all__ = [
    "Balance", "CommissionEntry", "EntryKind", "EntryStatus", "SETTLEMENT_DELAY", "balance_of",
    "book_commission", "settle_due",
    "CommissionSettled", "OrderCancelled", "OrderEvent", "OrderPaid", "OrderPlaced", "OrderRefunded",
    "PAYMENT_WINDOW", "REFUND_WINDOW", "RETRY_PENDING_SECONDS", "Attribution", "CancellationReason", "Order", "OrderLine", "OrderStatus",
    "RejectionReason", "ensure_payer", "ensure_visible_to", "is_expired", "place",
    "MAX_LINES", "MAX_QUANTITY", "CatalogTerms", "ItemRequest", "price_lines", "ProductCard", "check_items",
    "commission_cents", "earns_commission",
    "MIN_WITHDRAWAL_CENTS", "Withdrawal", "WithdrawalStatus", "request_withdrawal",
]
