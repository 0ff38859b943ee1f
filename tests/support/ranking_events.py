"""Helpers the ranking's API, flow and integration tests share: events and Redis snapshots."""
from __future__ import annotations

import itertools
from datetime import datetime

from shared.events import Event, make_event

_ids = itertools.count(1)


class Events:
    """Event envelopes as the shop and order services send them, at a chosen time."""

    def __init__(self, clock):
        self.clock = clock

    def _make(self, event_type: str, data: dict, at: datetime | None) -> Event:
        producer = event_type.split(".", 1)[0]
        return make_event(event_type, data, producer, occurred_at=at or self.clock.now())

    def registered(self, member_id, nickname=None, at=None):
        return self._make("shop.member.registered", {"member_id": member_id, "nickname": nickname or member_id.upper()}, at)

    def updated(self, member_id, nickname, at=None):
        return self._make("shop.member.updated", {"member_id": member_id, "nickname": nickname}, at)

    def paid(self, order_id, buyer, shop, total, at=None):
        return self._make("order.paid", _order(order_id, buyer, shop, total), at)

    def refunded(self, order_id, buyer, shop, total, at=None):
        return self._make("order.refunded", _order(order_id, buyer, shop, total), at)

    def visited(self, shop, visitor, at=None):
        return self._make("shop.visited", {"visit_id": f"v{next(_ids)}", "shop_id": shop, "visitor": visitor}, at)

    def featured(self, member_id, product_id="p1", at=None):
        return self._make("shop.featured.added", {"member_id": member_id, "product_id": product_id}, at)

    def unfeatured(self, member_id, product_id="p1", reason="removed", at=None):
        return self._make("shop.featured.removed", {"member_id": member_id, "product_id": product_id,
                                                    "reason": reason}, at)

    def privacy(self, member_id, stats="friends", listed=True, at=None):
        return self._make("shop.privacy.changed", {
            "member_id": member_id, "purchases_visible_to": "nobody", "stats_visible_to": stats,
            "show_in_leaderboards": listed, "show_me_as_visitor": True}, at)

    def befriended(self, a, b, at=None):
        return self._make("shop.friendship.created", {"member_ids": [a, b]}, at)

    def unfriended(self, a, b, at=None):
        return self._make("shop.friendship.removed", {"member_ids": [a, b]}, at)


def _order(order_id, buyer, shop, total):
    return {"order_id": order_id, "buyer_id": buyer, "shop_id": shop, "total_cents": total, "commission_cents": 0,
            "items": [{"product_id": "p1", "quantity": 1, "unit_price_cents": total}]}


# How many times standings were placed, not what they are: one by one, in batches, by one
# worker or four, or replayed by a rebuild, the same ranking is placed a different number
# of times (the read side only asks whether it moved: services/ranking/boards.py).
PLACINGS_COUNTER = "rk:{board}:revision"


def snapshot(client, pattern: str = "rk:*") -> dict:
    """Every ranking key with its type, content and whether it expires (not the exact TTL,
    which counts down while a test runs), but the board's revision counter."""
    state = {}
    for raw_key in sorted(client.scan_iter(match=pattern, count=1000)):
        key = raw_key.decode()
        if key == PLACINGS_COUNTER:
            continue
        kind = client.type(raw_key).decode()
        if kind == "hash":
            value = {k.decode(): v.decode() for k, v in client.hgetall(raw_key).items()}
        elif kind == "zset":
            value = [(m.decode(), s) for m, s in client.zrange(raw_key, 0, -1, withscores=True)]
        elif kind == "set":
            value = sorted(m.decode() for m in client.smembers(raw_key))
        elif kind == "list":
            value = [m.decode() for m in client.lrange(raw_key, 0, -1)]
        else:
            value = client.get(raw_key)
        state[key] = (kind, value, client.ttl(raw_key) > 0)
    return state
