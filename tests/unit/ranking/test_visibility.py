"""Who sees a member's stats and breakdown."""
import pytest

from services.ranking.domain import Audience, Privacy, Viewer

OWNER = "m1"
FRIEND = Viewer("m2", frozenset({OWNER, "m9"}))
STRANGER = Viewer("m3", frozenset({"m9"}))
ANONYMOUS = Viewer()
SELF = Viewer(OWNER, frozenset({"m2"}))


@pytest.mark.parametrize("audience, viewer, sees", [
    ("everyone", SELF, True), ("everyone", FRIEND, True), ("everyone", STRANGER, True), ("everyone", ANONYMOUS, True),
    ("friends", SELF, True), ("friends", FRIEND, True), ("friends", STRANGER, False), ("friends", ANONYMOUS, False),
    ("nobody", SELF, True), ("nobody", FRIEND, False), ("nobody", STRANGER, False), ("nobody", ANONYMOUS, False),
])
def test_stats_are_shown_as_far_as_the_owner_allows(audience, viewer, sees):
    assert viewer.may_see_stats(OWNER, Privacy(stats_visible_to=audience)) is sees


def test_the_defaults_show_stats_to_friends_and_list_the_member():
    privacy = Privacy()
    assert privacy.stats_visible_to is Audience.FRIENDS and privacy.show_in_leaderboards is True
    assert FRIEND.may_see_stats(OWNER, privacy) and not STRANGER.may_see_stats(OWNER, privacy)


def test_an_unknown_audience_is_refused():
    with pytest.raises(ValueError):
        Privacy(stats_visible_to="my-cat")
