"""Who is acting: a member (with roles, and a brand for a merchant) or one of the platform's
own jobs. Plain values, so the domains and use cases can take a `Principal` without
importing Flask or the token library (shared/auth.py reads one from a request).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("member", "merchant", "admin")
# The platform's own jobs (the ranking rebuild, the demo seed, member lookups) act as a
# service, not a member: `sub` = "service:<name>", admin only, short-lived.
SERVICE_PREFIX = "service:"
MAX_SERVICE_TTL = 3600


@dataclass(frozen=True)
class Principal:
    member_id: str
    roles: tuple[str, ...] = ("member",)
    brand_id: str | None = None
    extra: dict = field(default_factory=dict)
    # From the token: its id, when it was issued (microseconds), when it expires (seconds).
    # Not part of who the principal is (two tokens of one member name one principal).
    token_id: str | None = field(default=None, compare=False)
    issued_at_us: int = field(default=0, compare=False)
    expires_at: int = field(default=0, compare=False)

    @property
    def is_service(self) -> bool:
        return self.member_id.startswith(SERVICE_PREFIX)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def is_merchant_of(self, brand_id: str) -> bool:
        return "merchant" in self.roles and self.brand_id == brand_id
