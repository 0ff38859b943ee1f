"""What every shop view needs: who is calling."""
from __future__ import annotations

from shared.auth import require_principal

BEARER = [{"bearer": []}]
# Anyone may call, and a token says who: `me` as a shop id, the visitor of a visit.
OPTIONAL_BEARER = [{}, {"bearer": []}]


def me() -> str:
    """The caller's member id (401 without a valid token)."""
    return require_principal().member_id
