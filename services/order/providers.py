"""The money that leaves or enters the platform: payments from buyers, payouts to shop owners.

Both are interfaces, so a real provider (a payment gateway, a bank transfer API) plugs in
through `build(..., payments=, payouts=)` without touching a use case. Both are called with
an idempotency key the platform derives from its own records (the order id, the
withdrawal's transfer id): a call repeated after a crash or a timeout charges or pays once.

The simulated providers keep what they did in memory, which tests read to prove that a
retry paid nothing twice.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Protocol

from shared.failures import Conflict


class PaymentDeclined(Conflict):
    """The provider refused the charge; the order stays awaiting payment."""


class PayoutFailed(Exception):
    """The transfer did not go through now; the withdrawal stays approved and is retried."""


class PaymentProvider(Protocol):
    methods: frozenset[str]

    def charge(self, *, idempotency_key: str, amount_cents: int, method: str) -> str:
        """Charge the buyer; returns the provider's charge reference."""

    def refund(self, *, idempotency_key: str, charge_reference: str, amount_cents: int) -> str:
        """Give a charge back; returns the provider's refund reference."""


class PayoutProvider(Protocol):
    def transfer(self, *, transfer_id: str, member_id: str, amount_cents: int) -> str:
        """Pay a member; returns the provider's reference. The same transfer_id pays once."""


def _reference(prefix: str, key: str) -> str:
    return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:24]}"


@dataclass
class SimulatedPaymentProvider:
    """Accepts every `simulated` charge; the same key returns the first charge's reference."""

    methods: frozenset[str] = frozenset({"simulated"})
    charges: dict[str, int] = field(default_factory=dict)       # reference -> amount
    refunds: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def charge(self, *, idempotency_key: str, amount_cents: int, method: str) -> str:
        if method not in self.methods:
            raise PaymentDeclined(f"the payment method {method!r} is not accepted")
        reference = _reference("ch", idempotency_key)
        with self._lock:
            self.charges.setdefault(reference, amount_cents)
        return reference

    def refund(self, *, idempotency_key: str, charge_reference: str, amount_cents: int) -> str:
        reference = _reference("re", idempotency_key)
        with self._lock:
            self.refunds.setdefault(reference, amount_cents)
        return reference


@dataclass
class SimulatedPayoutProvider:
    """Pays at once; `fail_next` makes the next transfers fail, as a bank outage would."""

    transfers: dict[str, int] = field(default_factory=dict)     # transfer_id -> amount
    fail_next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def transfer(self, *, transfer_id: str, member_id: str, amount_cents: int) -> str:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                raise PayoutFailed("the simulated bank is unavailable")
            self.transfers.setdefault(transfer_id, amount_cents)
        return _reference("po", transfer_id)

    @property
    def paid_cents(self) -> int:
        return sum(self.transfers.values())
