from datetime import datetime, timedelta, timezone

import pytest

from services.shop.domain.friendship import (ACCEPTED, FriendRequest, accept, ask,
                                             check_removal, pair)
from shared.failures import Conflict, Forbidden, NotFound, Unprocessable

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def asking(requester="a", addressee="b", *, exists=True, friends=False, pending=()):
    return ask(request_id="r-new", requester_id=requester, addressee_id=addressee,
               addressee_exists=exists, already_friends=friends, pending=list(pending), now=T0)


def test_a_request_is_pending_until_accepted():
    request = asking()
    assert (request.requester_id, request.addressee_id, request.status) == ("a", "b", "pending")


def test_no_friendship_with_yourself():
    with pytest.raises(Unprocessable) as caught:
        asking("a", "a")
    assert "member_id" in caught.value.errors


def test_asking_an_unknown_member_is_not_found():
    with pytest.raises(NotFound):
        asking(exists=False)


def test_asking_a_friend_again_is_a_conflict():
    with pytest.raises(Conflict):
        asking(friends=True)


def test_a_duplicate_request_is_a_conflict_naming_the_open_one():
    open_request = FriendRequest("r1", "a", "b", T0)
    with pytest.raises(Conflict) as caught:
        asking(pending=[open_request])
    assert caught.value.extra == {"request_id": "r1"}


def test_asking_someone_who_already_asked_you_points_at_their_request():
    theirs = FriendRequest("r1", "b", "a", T0)
    with pytest.raises(Conflict) as caught:
        asking("a", "b", pending=[theirs])
    assert caught.value.extra == {"request_id": "r1"}
    assert "accept" in caught.value.detail


def test_requests_between_other_members_do_not_block():
    assert asking(pending=[FriendRequest("r1", "a", "c", T0)]).id == "r-new"


def test_only_the_addressee_accepts():
    request = FriendRequest("r1", "a", "b", T0)
    with pytest.raises(Forbidden):
        accept(request, member_id="a", now=T0)
    with pytest.raises(NotFound):
        accept(request, member_id="stranger", now=T0)
    accepted = accept(request, member_id="b", now=T0 + timedelta(hours=1))
    assert accepted.status == ACCEPTED and accepted.accepted_at == T0 + timedelta(hours=1)
    with pytest.raises(Conflict):
        accept(accepted, member_id="b", now=T0)


def test_a_friendship_is_one_pair_whichever_way_round():
    assert pair("b", "a") == pair("a", "b") == ("a", "b")


def test_removing_a_friendship_needs_one():
    assert check_removal("b", "a", True) == ("a", "b")
    with pytest.raises(NotFound):
        check_removal("a", "b", False)


def test_decline_and_withdraw_belong_to_one_side_each_and_only_while_open():
    from datetime import datetime, timezone
    from services.shop.domain.friendship import DECLINED, WITHDRAWN, FriendRequest, decline, withdraw
    from shared.failures import Conflict, Forbidden, NotFound
    request = FriendRequest("r1", "alice", "bob", datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert decline(request, member_id="bob").status == DECLINED
    assert withdraw(request, member_id="alice").status == WITHDRAWN
    for rule, wrong_side in ((decline, "alice"), (withdraw, "bob")):
        with pytest.raises(Forbidden):
            rule(request, member_id=wrong_side)
        with pytest.raises(NotFound):
            rule(request, member_id="carol")
    with pytest.raises(Conflict):
        withdraw(decline(request, member_id="bob"), member_id="alice")
