import pytest

from services.shop.domain.privacy import (PrivacySettings, can_see_purchases, can_see_stats,
                                          change, purchases_shown)
from shared.failures import Unprocessable

DEFAULTS = PrivacySettings()


def test_defaults_hide_purchases_and_show_stats_to_friends():
    assert DEFAULTS.as_dict() == {"purchases_visible_to": "nobody", "stats_visible_to": "friends",
                                  "show_in_leaderboards": True, "show_me_as_visitor": True}


def test_a_change_keeps_the_fields_it_leaves_out():
    changed = change(DEFAULTS, {"purchases_visible_to": "friends", "show_me_as_visitor": False})
    assert changed == PrivacySettings("friends", "friends", True, False)


@pytest.mark.parametrize("changes, field", [
    ({"purchases_visible_to": "everyone"}, "purchases_visible_to"),
    ({"stats_visible_to": "public"}, "stats_visible_to"),
    ({"stats_visible_to": None}, "stats_visible_to"),
    ({"show_in_leaderboards": "false"}, "show_in_leaderboards"),
    ({"show_me_as_visitor": 0}, "show_me_as_visitor"),
    ({"tracking": True}, "tracking"),
])
def test_invalid_values_are_refused(changes, field):
    with pytest.raises(Unprocessable) as caught:
        change(DEFAULTS, changes)
    assert list(caught.value.errors) == [field]


def test_by_default_nobody_but_the_owner_sees_purchases():
    assert can_see_purchases("a", "a", False, DEFAULTS)
    assert not can_see_purchases("a", "friend", True, DEFAULTS)
    assert not can_see_purchases("a", None, False, DEFAULTS)


def test_purchases_for_friends_are_shown_to_friends_only():
    friends = PrivacySettings(purchases_visible_to="friends")
    assert can_see_purchases("a", "b", True, friends)
    assert not can_see_purchases("a", "c", False, friends)
    assert not can_see_purchases("a", None, False, friends)


def test_stats_follow_the_chosen_audience():
    for_everyone = PrivacySettings(stats_visible_to="everyone")
    for_nobody = PrivacySettings(stats_visible_to="nobody")
    assert can_see_stats("a", None, False, for_everyone)
    assert can_see_stats("a", "b", True, DEFAULTS) and not can_see_stats("a", "c", False, DEFAULTS)
    assert not can_see_stats("a", None, False, DEFAULTS)
    assert not can_see_stats("a", "b", True, for_nobody)
    assert can_see_stats("a", "a", False, for_nobody)


def test_sensitive_products_are_shown_only_to_the_buyer():
    bought = [("tea", False), ("test kit", True), ("book", False)]
    sensitive = lambda p: p[1]  # noqa: E731
    assert purchases_shown("a", "a", bought, sensitive) == bought
    assert purchases_shown("a", "b", bought, sensitive) == [("tea", False), ("book", False)]
