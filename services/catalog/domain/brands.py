"""A brand of the curated library, and what makes two brand names the same."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain_events import DomainEvent, EventRecorder

from .events import BrandCreated


def brand_key(name: str) -> str:
    """What makes two brand names the same: NFC-normalised, case-folded. The duplicate
    check and the unique index both use it, so they cannot disagree."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


@dataclass
class Brand(EventRecorder):
    id: str
    name: str
    description: str
    logo_url: str | None
    created_at: datetime
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def invite(cls, brand_id: str, name: str, now: datetime, *, description: str = "",
               logo_url: str | None = None) -> "Brand":
        """A new brand (an admin invites it; see access.ensure_can_create_brand). Its name
        is kept NFC-normalised, as it is compared."""
        brand = cls(brand_id, unicodedata.normalize("NFC", name), description, logo_url, now)
        brand.record(BrandCreated(brand.id, brand.name))
        return brand

    @property
    def key(self) -> str:
        return brand_key(self.name)
