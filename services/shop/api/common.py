"""What every shop view needs: who is calling, and that they have a shop here."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from shared.auth import require_principal
from shared.failures import NotFound

from services.shop.store import members

BEARER = [{"bearer": []}]
# Anyone may call, and a token says who: `me` as a shop id, the visitor of a visit.
OPTIONAL_BEARER = [{}, {"bearer": []}]


def me() -> str:
    """The caller's member id (401 without a valid token)."""
    return require_principal().member_id


def require_member(conn: Connection, member_id: str) -> str:
    """A token can name an account this service does not hold (an operator's token, a
    deleted member): every member endpoint answers 404 for it."""
    if not members.member_exists(conn, member_id):
        raise NotFound(f"no member {member_id}")
    return member_id


def page_slice(items: list, page: int, per_page: int) -> list:
    start = (page - 1) * per_page
    return items[start:start + per_page]
