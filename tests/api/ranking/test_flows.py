"""Event flows through the in-memory bus into the embedded Redis: idempotency, order of
arrival, the rolling window and the announcements of `ranking.influence.changed`."""
from __future__ import annotations

from datetime import timedelta

from tests.support.ranking_events import snapshot

SERVICES = ("ranking",)


def store(platform):
    return platform["ranking"].context.store


def standing(platform, member_id):
    return store(platform).standings([member_id]).get(member_id)


def test_a_redelivered_event_changes_nothing(platform, events, deliver, announcements):
    paid, visit = events.paid("o1", "wei", "lin", 150_000), events.visited("lin", "wei")
    deliver(paid)
    deliver(visit)
    before = snapshot(store(platform).redis)
    assert len(announcements()) == 2            # 20 + 1500 + ... then + 2 for the visitor
    deliver(paid, visit, paid)
    assert snapshot(store(platform).redis) == before
    assert len(announcements()) == 2


def test_events_taken_together_announce_each_member_once_at_the_final_standing(platform, events, deliver,
                                                                               announcements):
    # One batch (the worker took both off the queue at once): one standing per member,
    # announced once, with the score both events make together.
    deliver(events.paid("o1", "wei", "lin", 150_000), events.visited("lin", "wei"),
            events.visited("mei", "wei"))
    heard = announcements()
    assert sorted(e.data["member_id"] for e in heard) == ["lin", "mei"]
    lin = next(e for e in heard if e.data["member_id"] == "lin")
    assert lin.data["score"] == standing(platform, "lin").score
    assert lin.data["version"] == 2             # both events counted in the one standing
    assert store(platform).flagged_announcements() == []


def test_a_refund_before_its_payment_ends_as_if_they_came_in_order(platform, events, deliver):
    paid = events.paid("o1", "wei", "lin", 150_000)
    refunded = events.refunded("o1", "wei", "lin", 150_000, at=events.clock.now() + timedelta(hours=1))
    keep = events.paid("o2", "wei", "lin", 30_000)
    deliver(refunded)
    assert standing(platform, "lin").score == 0
    deliver(keep, paid)
    in_reverse = snapshot(store(platform).redis)
    store(platform).reset()
    deliver(paid, keep, refunded)
    in_order = snapshot(store(platform).redis)
    assert in_order == in_reverse
    assert standing(platform, "lin").breakdown.sales_cents == 30_000
    assert standing(platform, "lin").breakdown.distinct_buyers == 1


def test_what_does_not_count_leaves_no_trace(platform, events, deliver):
    deliver(events.paid("o1", "lin", "lin", 99_000),          # bought through their own shop
            events.paid("o2", "wei", None, 99_000),            # through no shop at all
            events.visited("lin", "lin"),                      # the owner visiting
            events.unfeatured("lin", reason="delisted"))       # the platform removed it
    assert snapshot(store(platform).redis) == {}


def test_an_event_from_before_the_window_is_ignored(platform, events, deliver, clock):
    deliver(events.paid("o1", "wei", "lin", 99_000, at=clock.now() - timedelta(days=31)))
    assert standing(platform, "lin") is None


def test_an_event_stamped_ahead_of_our_clock_counts_today(platform, events, deliver, clock):
    deliver(events.visited("lin", "wei", at=clock.now() + timedelta(days=1)))
    assert standing(platform, "lin").breakdown.unique_visitors == 1


def test_day_31_drops_out_when_the_refresh_runs(platform, events, deliver, clock, client, announcements):
    # 12:00 in Shanghai on 1 November; the sale counts through 30 November, local time.
    deliver(events.paid("o1", "wei", "lin", 200_000), events.featured("lin"))
    assert standing(platform, "lin").score == 2000 + 20 + 10
    clock.advance(days=29, hours=11, minutes=59)                     # 23:59 local, 30 November
    platform.run_periodic()
    assert standing(platform, "lin").score == 2030
    clock.advance(minutes=1)                                          # 00:00 local, 1 December
    platform.run_periodic()
    assert standing(platform, "lin").score == 0
    assert client.get("/api/ranking/influence").json["items"] == []
    last = announcements()[-1]
    assert (last.data["score"], last.data["tier"], last.data["slots"]) == (0, 1, 4)
    # Nothing of it is left behind but the member's own record.
    keys = set(snapshot(store(platform).redis))
    assert not any(":sales" in k or ":buyers" in k or ":active" in k for k in keys)


def test_visitors_are_counted_once_over_the_window(platform, events, deliver, clock):
    deliver(*[events.visited("lin", f"member-{i % 7}", at=clock.now() - timedelta(days=i)) for i in range(35)])
    # Seven members came back day after day; the visits of days 31..35 are too old to count.
    assert standing(platform, "lin").breakdown.unique_visitors == 7


def test_a_visitor_counts_until_their_last_visit_leaves_the_window(platform, events, deliver, clock):
    deliver(events.visited("lin", "wei", at=clock.now() - timedelta(days=29)),
            events.visited("lin", "amy", at=clock.now() - timedelta(days=29)),
            events.visited("lin", "wei", at=clock.now() - timedelta(days=2)))
    assert standing(platform, "lin").breakdown.unique_visitors == 2
    clock.advance(days=1)                      # amy's only visit is now 30 days old
    platform.run_periodic()
    assert standing(platform, "lin").breakdown.unique_visitors == 1
    clock.advance(days=28)                     # wei's last visit, 30 days old
    platform.run_periodic()
    assert standing(platform, "lin").breakdown.unique_visitors == 0
    assert not any(":visitors" in key for key in snapshot(store(platform).redis))


def test_anonymous_visits_earn_nothing(platform, events, deliver):
    deliver(*[events.visited("lin", f"anon:browser-{i}") for i in range(50)])
    found = standing(platform, "lin")
    assert found is None or found.score == 0


def test_a_tier_change_is_announced_with_its_slots(platform, events, deliver, announcements):
    deliver(events.paid("o1", "wei", "lin", 98_000))
    deliver(events.visited("lin", "wei"))
    deliver(events.paid("o2", "amy", "lin", 300))
    changes = [(e.data["score"], e.data["tier"], e.data["slots"]) for e in announcements()]
    assert changes == [(1000, 2, 6), (1002, 2, 6), (1025, 2, 6)]
    versions = [e.data["version"] for e in announcements()]
    assert versions == sorted(versions)
    stamps = [e.occurred_at for e in announcements()]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3


def test_a_nickname_change_is_an_active_day_and_renames_the_board_line(platform, events, deliver, client, clock):
    deliver(events.registered("lin", "Lin"), events.paid("o1", "x", "lin", 10_000))
    deliver(events.updated("lin", "Lin the Tea Lady", at=clock.now() + timedelta(seconds=1)))
    item = client.get("/api/ranking/influence").json["items"][0]
    assert (item["nickname"], item["score"]) == ("Lin the Tea Lady", 100 + 20 + 10)


def test_one_member_is_one_visitor_however_often_and_whichever_day_they_come(platform, events, deliver, clock):
    deliver(*[events.visited("lin", "wei", at=clock.now() - timedelta(days=back, minutes=m))
              for back in (0, 3, 7) for m in range(50)])
    assert standing(platform, "lin").breakdown.unique_visitors == 1
    assert standing(platform, "lin").score == 2
    [(visitor, last_day)] = snapshot(store(platform).redis)["rk:{m:lin}:visitors"][1]
    assert visitor == "wei" and int(last_day) == int(clock.now().astimezone(
        platform["ranking"].context.scorer.window.tz).strftime("%Y%m%d"))


def test_an_announcement_envelope_is_a_valid_event_of_the_contract():
    from services.ranking.announcements import envelope
    from shared.events import parse_event
    entry = {"id": "0b5fb784-f234-49c5-9330-6a92af78267c", "member_id": "lin", "score": 1522, "tier": 2,
             "slots": 6, "version": 2, "at": "1764756000123456"}
    event = parse_event(envelope(entry))
    assert (event.id, event.type, event.producer) == (entry["id"], "ranking.influence.changed", "ranking")
    assert event.data == {"member_id": "lin", "score": 1522, "tier": 2, "slots": 6, "version": 2}
    assert event.occurred_at.timestamp() == 1764756000.123456
