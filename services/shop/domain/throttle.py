"""Slowing down password guessing for one username, without locking its owner out for good.

Five wrong passwords within 15 minutes block the username for a back-off that doubles with
each block (1, 2, 4, 8 minutes...) and never exceeds 15 minutes. During a block every
attempt is refused, the right password too, otherwise the block would tell a guesser when
they hit it. After the back-off the owner can sign in again, and a successful sign-in
forgets the history. A day without failures forgets it as well.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.clock import iso
from shared.errors import TooManyRequests

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(minutes=15)
STRIKE_MEMORY = timedelta(hours=24)


@dataclass(frozen=True)
class LoginThrottle:
    """What the throttle remembers about one username."""

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
    """Raise TooManyRequests (with `retry_after` seconds) while the username is blocked."""
    if state.blocked_until is not None and now < state.blocked_until:
        wait = math.ceil((state.blocked_until - now).total_seconds())
        raise TooManyRequests(f"too many wrong passwords; try again in {wait} seconds",
                              retry_after=wait, blocked_until=iso(state.blocked_until))


def record_failure(state: LoginThrottle, now: datetime) -> LoginThrottle:
    """The state after a wrong password (or an unknown username, which must look the same)."""
    strikes = state.strikes
    if state.last_failure_at is not None and now - state.last_failure_at >= STRIKE_MEMORY:
        strikes = 0
    recent = tuple(at for at in state.failures if now - at < FAILURE_WINDOW) + (now,)
    if len(recent) < MAX_FAILURES:
        return LoginThrottle(failures=recent, strikes=strikes,
                             blocked_until=state.blocked_until, last_failure_at=now)
    strikes += 1
    return LoginThrottle(failures=(), strikes=strikes, blocked_until=now + backoff(strikes),
                         last_failure_at=now)


def record_success(state: LoginThrottle, now: datetime) -> LoginThrottle:
    """The right password after any block has run out: the owner starts clean."""
    check_allowed(state, now)
    return LoginThrottle()
