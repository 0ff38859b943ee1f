"""Slowing down password guessing without letting anyone aim a lockout at someone else.

Failures are counted per (username, client address) and per client address, never per
username alone: five wrong passwords for someone else's username from one address used to
keep its owner out from everywhere. Now they block that username from that address only,
and the owner signing in from their own address is not refused.

- per (username, address): five wrong passwords within 15 minutes block that pair for a
  back-off that doubles with each block (1, 2, 4, 8 minutes...) and never exceeds 15
  minutes. During a block every attempt is refused, the right password too, otherwise the
  block would tell a guesser when they hit it. A successful sign-in forgets that pair.
- per address: thirty wrong passwords within 15 minutes, whatever the usernames, block the
  address the same way: one address spraying guesses over many usernames is stopped. A
  success does not forget these (a guesser with an account of their own could reset them).
A day without failures forgets a pair's or an address's earlier blocks.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.clock import iso
from shared.failures import TooManyRequests

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 30
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(minutes=15)
STRIKE_MEMORY = timedelta(hours=24)


def throttle_keys(username: str, address: str) -> tuple[str, str]:
    """The two records one attempt counts against: (the pair, the address).

    The pair is hashed so that a long username and an IPv6 address fit one short key (and
    the table does not list who tried which name from where)."""
    pair = hashlib.sha256(f"{username}\n{address}".encode()).hexdigest()[:48]
    return f"pair:{pair}", f"addr:{address}"[:64]


@dataclass(frozen=True)
class LoginThrottle:
    """What the throttle remembers about one key (a username at an address, or an address)."""

    failures: tuple[datetime, ...] = ()   # wrong passwords in the current window
    strikes: int = 0                       # blocks so far; each one doubles the next
    blocked_until: datetime | None = None
    last_failure_at: datetime | None = None

    @property
    def is_clear(self) -> bool:
        return self == LoginThrottle()


def backoff(strikes: int) -> timedelta:
    """The block after the `strikes`-th burst of failures: doubling, capped."""
    return min(FIRST_BACKOFF * (2 ** max(strikes - 1, 0)), MAX_BACKOFF)


def check_allowed(state: LoginThrottle, now: datetime) -> None:
    """Raise TooManyRequests (with `retry_after` seconds) while the key is blocked."""
    if state.blocked_until is not None and now < state.blocked_until:
        wait = math.ceil((state.blocked_until - now).total_seconds())
        raise TooManyRequests(f"too many wrong passwords; try again in {wait} seconds",
                              retry_after=wait, blocked_until=iso(state.blocked_until))


def record_failure(state: LoginThrottle, now: datetime, max_failures: int = MAX_FAILURES) -> LoginThrottle:
    """The state after a wrong password (or an unknown username, which must look the same);
    `max_failures` within the window start a block (MAX_ADDRESS_FAILURES for an address)."""
    strikes = state.strikes
    if state.last_failure_at is not None and now - state.last_failure_at >= STRIKE_MEMORY:
        strikes = 0
    recent = tuple(at for at in state.failures if now - at < FAILURE_WINDOW) + (now,)
    if len(recent) < max_failures:
        return LoginThrottle(failures=recent, strikes=strikes,
                             blocked_until=state.blocked_until, last_failure_at=now)
    strikes += 1
    return LoginThrottle(failures=(), strikes=strikes, blocked_until=now + backoff(strikes),
                         last_failure_at=now)


def record_success(state: LoginThrottle, now: datetime) -> LoginThrottle:
    """The right password after any block has run out: the owner starts clean."""
    check_allowed(state, now)
    return LoginThrottle()
