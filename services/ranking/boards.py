"""The TOP 300 as each process last built it: the read side's cache over the store.

The TOP 300 is the same for every reader (it shows no stats, and hidden members are left
out for everyone), and it is what every member opens first: reading it per request meant
300 standings from Redis and 300 schema dumps per read. So each process keeps the board it
last built, with the JSON of each limit rendered once, and builds it again from Redis at
most once per `refresh` seconds (GWH_BOARD_REFRESH, 0.25 s by default): a change shows on
the board no later than that. Once `refresh` has passed, one GET of the board's revision
(a counter the store moves whenever it places a standing) tells whether anything changed:
a board nothing touched is kept, not read again (300 standings and a JSON dump). The
per-viewer parts (stats on the community page, a member's own rank) are computed per
request by the use cases (services/ranking/usecases.py `Queries`); the rules of what is
listed, ranked and shown are the domain's.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from services.ranking.domain import BOARD_SIZE, Contender, Placing, public_board
from services.ranking.store import RankingStore


@dataclass
class BuiltBoard:
    """The TOP 300 as built at `built_at`, and the answers rendered from it so far."""

    built_at: datetime
    placings: list[Placing]
    rendered: dict[int, bytes] = field(default_factory=dict)
    # The store's board revision read just before the board was: None is "unknown".
    revision: int | None = None

    def fresh(self, now: datetime, refresh: float) -> bool:
        # A clock that went backwards does not keep an old board forever.
        return 0 <= (now - self.built_at).total_seconds() < refresh


class Boards:
    def __init__(self, store: RankingStore, *, refresh: float = 0.0, clock=None):
        self.store = store
        self.refresh = refresh
        self.clock = clock
        self._built: BuiltBoard | None = None
        # One reader rebuilds a stale board; the others wait for it rather than all
        # reading Redis at once.
        self._building = threading.Lock()

    def influence(self, limit: int) -> list[Placing]:
        """The first `limit` of the TOP 300, by the scores the board holds (at most
        `refresh` seconds old)."""
        return self._board().placings[:max(0, limit)]

    def rendered_influence(self, limit: int, render: Callable[[list[Placing]], bytes]) -> bytes:
        """The answer for the first `limit` of the TOP 300, rendered once per built board."""
        built = self._board()
        body = built.rendered.get(limit)
        if body is None:
            # Two readers may render the same limit at once: both get the same bytes.
            body = built.rendered[limit] = render(built.placings[:max(0, limit)])
        return body

    def placings(self) -> list[Placing]:
        """The whole TOP 300 as last built."""
        return self._board().placings

    def _board(self) -> BuiltBoard:
        built = self._built
        now = self._now()
        if built is not None and built.fresh(now, self.refresh):
            return built
        with self._building:
            built = self._built
            if built is not None and built.fresh(now, self.refresh):
                return built  # another reader just built it
            now = self._now()
            # Read before the board: a change placed in between leaves a newer revision,
            # so the next check rebuilds; read after, that change could be missed for good.
            revision = self.store.board_revision()
            if built is not None and revision is not None and revision == built.revision:
                built = replace(built, built_at=now)  # nothing was placed: the same board
            else:
                built = BuiltBoard(now, self._read_board(BOARD_SIZE), revision=revision)
            self._built = built
            return built

    def _now(self) -> datetime:
        return self.clock.now() if self.clock is not None else datetime.now().astimezone()

    def _read_board(self, limit: int) -> list[Placing]:
        rows = self.store.board_slice(limit)
        standings = self.store.board_standings(member for member, _ in rows)
        contenders = []
        for member_id, score in rows:
            known = standings.get(member_id)
            contenders.append(Contender(member_id, score) if known is None else
                              Contender(member_id, score, known.nickname, known.privacy, known.stats))
        return public_board(contenders, limit)
