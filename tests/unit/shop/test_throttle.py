from datetime import datetime, timedelta, timezone

import pytest

from services.shop.domain.throttle import (MAX_BACKOFF, LoginThrottle, backoff, check_allowed,
                                           record_failure, record_success)
from shared.failures import TooManyRequests

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def fail(state: LoginThrottle, times: int, start: datetime, every=timedelta(seconds=10)):
    for i in range(times):
        state = record_failure(state, start + i * every)
    return state


def retry_after(state: LoginThrottle, now: datetime) -> int:
    with pytest.raises(TooManyRequests) as caught:
        check_allowed(state, now)
    return caught.value.extra["retry_after"]


def test_four_wrong_passwords_do_not_block():
    state = fail(LoginThrottle(), 4, T0)
    check_allowed(state, T0 + timedelta(minutes=1))


def test_the_fifth_wrong_password_within_15_minutes_blocks_for_a_minute():
    state = fail(LoginThrottle(), 5, T0)
    last = T0 + timedelta(seconds=40)
    assert state.blocked_until == last + timedelta(minutes=1)
    assert retry_after(state, last) == 60
    assert retry_after(state, last + timedelta(seconds=59, milliseconds=500)) == 1
    check_allowed(state, last + timedelta(minutes=1))


def test_failures_spread_beyond_15_minutes_do_not_block():
    state = fail(LoginThrottle(), 8, T0, every=timedelta(minutes=4))
    assert state.blocked_until is None
    check_allowed(state, T0 + timedelta(hours=1))


def test_the_right_password_is_refused_while_blocked():
    state = fail(LoginThrottle(), 5, T0)
    with pytest.raises(TooManyRequests):
        record_success(state, T0 + timedelta(seconds=50))


def test_the_backoff_doubles_and_is_capped_at_15_minutes():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 8, 15, 15]
    state, now = LoginThrottle(), T0
    for strike in range(1, 8):
        state = fail(state, 5, now, every=timedelta(0))
        assert state.blocked_until - now == min(timedelta(minutes=2 ** (strike - 1)), MAX_BACKOFF)
        now = state.blocked_until
    assert state.strikes == 7


def test_the_owner_gets_in_after_the_backoff_and_starts_clean():
    state, now = LoginThrottle(), T0
    for _ in range(10):  # a guesser keeps trying
        state = fail(state, 5, now, every=timedelta(0))
        now = state.blocked_until
    assert now - T0 <= 10 * MAX_BACKOFF  # never blocked for good
    cleared = record_success(state, now)
    assert cleared.is_clear
    assert fail(cleared, 5, now, every=timedelta(0)).blocked_until == now + timedelta(minutes=1)


def test_a_quiet_day_forgets_earlier_blocks():
    state = fail(fail(LoginThrottle(), 5, T0, every=timedelta(0)), 5,
                 T0 + timedelta(minutes=1), every=timedelta(0))
    assert state.strikes == 2
    day_later = T0 + timedelta(days=1, minutes=1)
    state = fail(state, 5, day_later, every=timedelta(0))
    assert state.strikes == 1 and state.blocked_until == day_later + timedelta(minutes=1)


def test_a_name_and_an_address_make_two_short_keys_that_do_not_reveal_the_name():
    from services.shop.domain.throttle import throttle_keys
    pair, address = throttle_keys("alice", "2001:db8:ffff:ffff:ffff:ffff:255.255.255.255")
    assert pair.startswith("pair:") and "alice" not in pair and len(pair) <= 64
    assert address == "addr:2001:db8:ffff:ffff:ffff:ffff:255.255.255.255"
    assert throttle_keys("alice", "10.0.0.1")[0] != throttle_keys("alice", "10.0.0.2")[0]
    assert throttle_keys("alice", "10.0.0.1")[1] == throttle_keys("bob", "10.0.0.1")[1]


def test_an_address_takes_thirty_failures_to_block():
    from services.shop.domain.throttle import MAX_ADDRESS_FAILURES
    state = LoginThrottle()
    for n in range(MAX_ADDRESS_FAILURES - 1):
        state = record_failure(state, T0 + timedelta(seconds=n), max_failures=MAX_ADDRESS_FAILURES)
    check_allowed(state, T0 + timedelta(minutes=1))
    state = record_failure(state, T0 + timedelta(minutes=1), max_failures=MAX_ADDRESS_FAILURES)
    with pytest.raises(TooManyRequests):
        check_allowed(state, T0 + timedelta(minutes=1, seconds=1))
