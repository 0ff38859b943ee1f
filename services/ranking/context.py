"""What the ranking's views, handlers and jobs reach (shared.service.ServiceContext): no
database but Redis (the client and the store over it), the use cases (the scorer that
applies events, the queries the views ask), the rendered boards they read, the owners'
read-through client, the store's watch, and where the watch reads the history from when
it rebuilds."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from shared.service import ServiceContext, service_context

from services.ranking.boards import Boards
from services.ranking.store import RankingStore
from services.ranking.usecases import Queries, Scorer
from services.ranking.watch import StoreWatch


@dataclass
class RankingContext(ServiceContext):
    redis: Any = None
    store: RankingStore | None = None
    scorer: Scorer | None = None
    boards: Boards | None = None
    queries: Queries | None = None
    watch: StoreWatch | None = None
    # (path, params) -> page of history; the embedded platform sets its in-process gateway.
    history_fetch: Callable[[str, dict], dict] | None = None


def context() -> RankingContext:
    return service_context(RankingContext)
