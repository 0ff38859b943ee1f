"""Publishing `ranking.influence.changed`: from each member's announcement list to the bus.

A standing and its announcement are written by one script (store.settle), so a change is
never stored without its announcement; publishing comes after, and an announcement leaves
its list only once the broker confirmed it. A worker that dies in between leaves it there
for the next change of that member or the periodic sweep: delivery is at least once, and
the shop keeps the newest by `occurred_at`, which the script stamped in standing order.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from shared.bus import Bus
from shared.events import make_event

from services.ranking.store import RankingStore

PRODUCER = "ranking"


class Announcer:
    def __init__(self, store: RankingStore, bus: Bus):
        self.store = store
        self.bus = bus

    def publish(self, waiting: dict[str, list[dict]]) -> int:
        """Publish the announcements waiting for each member (member -> entries, oldest
        first), then pop what the broker took, in one round trip; unflag the members left
        with none. Returns how many went out."""
        published: dict[str, list[str]] = {}
        try:
            for member_id, entries in waiting.items():
                for entry in entries:
                    self.bus.publish(envelope(entry))
                    published.setdefault(member_id, []).append(entry["id"])
        finally:
            # What the broker confirmed leaves its list even if a later publish failed.
            left = self.store.announced(published)
        self.store.unflag_announcements([m for m in waiting if not left.get(m, 0)])
        return sum(len(ids) for ids in published.values())

    def drain(self, member_id: str) -> int:
        """Publish a member's waiting announcements in order; returns how many went out."""
        return self.drain_many([member_id])

    def drain_many(self, member_ids: list[str]) -> int:
        return self.publish(self.store.waiting_announcements(member_ids)) if member_ids else 0

    def drain_flagged(self) -> int:
        return self.drain_many(self.store.flagged_announcements())


def envelope(entry: dict) -> dict:
    """The event of one stored announcement; its id was fixed when it was stored, so a
    second publication of it is a duplicate the shop's inbox drops."""
    at = datetime.fromtimestamp(int(entry["at"]) / 1_000_000, tz=timezone.utc)
    data = {"member_id": entry["member_id"], "score": entry["score"], "tier": entry["tier"],
            "slots": entry["slots"], "version": entry["version"]}
    event = make_event("ranking.influence.changed", data, PRODUCER, occurred_at=at)
    return replace(event, id=entry["id"]).to_dict()
