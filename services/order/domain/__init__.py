"""The order domain, pure: no Flask, no SQL, no broker. Every time rule takes `now`.

- orders: the order state machine, the owners' answers in the saga, the 30-minute expiry
- pricing: exclusive vs list price, item rules, commission per line
- commissions: the ledger (pending -> settled | reversed, clawbacks) and balances
- withdrawals: paying out settled commission, with admin approval
- events: the named events it records (order.placed, .paid, .cancelled, .refunded,
  order.commission.settled), which the unit of work writes to the outbox
"""
from .commissions import (Balance, CommissionEntry, EntryKind, EntryStatus, SETTLEMENT_DELAY,
                          balance_of, book_commission)
from .events import (CommissionSettled, OrderCancelled, OrderPaid, OrderPlaced, OrderRefunded, OrderSettled,
                     RequestedItem, SettledItem)
from .orders import (PAYMENT_WINDOW, REFUND_WINDOW, RETRY_PENDING_SECONDS, Attribution, CancellationReason, Order,
                     OrderLine, OrderStatus, RejectionReason, ensure_payer, ensure_visible_to, is_expired, place)
from .pricing import (MAX_LINES, MAX_QUANTITY, CatalogTerms, ItemRequest, ProductCard, check_items,
                      commission_cents, earns_commission, price_lines)
from .withdrawals import MIN_WITHDRAWAL_CENTS, Withdrawal, WithdrawalStatus, request_withdrawal

__all__ = [
    "Balance", "CommissionEntry", "EntryKind", "EntryStatus", "SETTLEMENT_DELAY", "balance_of",
    "book_commission",
    "CommissionSettled", "OrderCancelled", "OrderPaid", "OrderPlaced", "OrderRefunded", "OrderSettled",
    "RequestedItem", "SettledItem",
    "PAYMENT_WINDOW", "REFUND_WINDOW", "RETRY_PENDING_SECONDS", "Attribution", "CancellationReason", "Order", "OrderLine", "OrderStatus",
    "RejectionReason", "ensure_payer", "ensure_visible_to", "is_expired", "place",
    "MAX_LINES", "MAX_QUANTITY", "CatalogTerms", "ItemRequest", "price_lines", "ProductCard", "check_items",
    "commission_cents", "earns_commission",
    "MIN_WITHDRAWAL_CENTS", "Withdrawal", "WithdrawalStatus", "request_withdrawal",
]
