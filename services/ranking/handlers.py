"""The events the ranking consumes: each handler decodes its event into one member's
effect (or two, for a friendship) and calls one use case, `Scorer.apply_effects`, which
applies each effect once per event id in one Lua script (services/ranking/usecases.py).

No handler depends on arrival order: orders accumulate facts, visits and active days are
sets, and privacy, nicknames and friendships are last-writer-wins by event time.
"""
from __future__ import annotations

from typing import Callable

from shared.bus import Subscriptions
from shared.events import Event
from shared.tokens import REVOKED_EVENT

from services.ranking.domain import Effect, OrderFacts, Privacy, counts_as_visitor, is_member_activity
from services.ranking.usecases import Record, Scorer

subscriptions = Subscriptions("ranking")


@subscriptions.on("order.paid", "order.refunded")
def order_settled(scorer: Scorer, event: Event) -> None:
    facts = OrderFacts.from_event(event.type, event.data, scorer.moment_of(event), scorer.window)
    if facts.through_someone_elses_shop:
        scorer.apply_effects([(facts.shop_id, event, Effect(order=facts))])


@subscriptions.on("shop.visited")
def shop_visited(scorer: Scorer, event: Event) -> None:
    shop_id, visitor = event.data["shop_id"], event.data["visitor"]
    if counts_as_visitor(shop_id, visitor):
        scorer.apply_effects([(shop_id, event, Effect(visitor=visitor))])


@subscriptions.on("shop.featured.added", "shop.featured.removed")
def featured_changed(scorer: Scorer, event: Event) -> None:
    if is_member_activity(event.type, event.data):
        scorer.apply_effects([(event.data["member_id"], event, Effect(active_day=scorer.day_of(event)))])


@subscriptions.on("shop.member.registered", "shop.member.updated")
def member_card(scorer: Scorer, event: Event) -> None:
    active = scorer.day_of(event) if is_member_activity(event.type, event.data) else None
    scorer.apply_effects([(event.data["member_id"], event, Effect(nickname=event.data["nickname"], active_day=active))])


@subscriptions.on("shop.privacy.changed")
def privacy_changed(scorer: Scorer, event: Event) -> None:
    privacy = Privacy(stats_visible_to=event.data["stats_visible_to"],
                      show_in_leaderboards=event.data["show_in_leaderboards"])
    scorer.apply_effects([(event.data["member_id"], event, Effect(privacy=privacy))])


@subscriptions.on("shop.friendship.created", "shop.friendship.removed")
def friendship_changed(scorer: Scorer, event: Event) -> None:
    first, second = event.data["member_ids"]
    if first == second:
        return
    befriended = event.type == "shop.friendship.created"
    # Each side is its own member's record (its own hash tag), so two scripts; each is
    # idempotent by the event id, so a redelivery after a crash between them completes it.
    scorer.apply_effects([(first, event, Effect(friend=(second, befriended))),
                          (second, event, Effect(friend=(first, befriended)))])


@subscriptions.on(REVOKED_EVENT)
def tokens_revoked(scorer: Scorer, event: Event) -> None:
    scorer.revoke_tokens(event.data)


def dispatcher(scorer: Scorer) -> Callable[[Event], None]:
    """The consumer's `dispatch`: idempotency is in the store's script, not in an inbox."""
    def dispatch(event: Event) -> None:
        handler = subscriptions.handlers.get(event.type)
        if handler is not None:
            handler(scorer, event)
    return dispatch


class _Collector:
    """What a handler sees of the Scorer while a batch is collected: `apply_effects` keeps
    the records for one `Scorer.apply_effects` of the whole batch instead of applying them
    at once."""

    def __init__(self, scorer: Scorer):
        self.scorer = scorer
        self.window = scorer.window
        self.records: list[Record] = []

    def moment_of(self, event: Event, now=None):
        return self.scorer.moment_of(event, now)

    def day_of(self, event: Event) -> str:
        return self.scorer.day_of(event)

    def apply_effects(self, records: list[Record]) -> None:
        self.records.extend(records)

    def revoke_tokens(self, revocation) -> None:
        self.scorer.revoke_tokens(revocation)


def batch_dispatcher(scorer: Scorer) -> Callable[[list[Event]], None]:
    """The batch consumer's `dispatch_batch`: the same handlers, their effects applied
    together (one script per member, one standing per member, see Scorer.apply_effects)."""
    def dispatch_batch(events: list[Event]) -> None:
        collector = _Collector(scorer)
        for event in events:
            handler = subscriptions.handlers.get(event.type)
            if handler is not None:
                handler(collector, event)
        scorer.apply_effects(collector.records)
    return dispatch_batch
