"""Who may do what in the catalog."""
from __future__ import annotations

from shared.failures import Forbidden
from shared.principal import Principal


def ensure_can_create_brand(principal: Principal) -> None:
    # Brands are invited, not self-service: the article's curated brand library.
    if not principal.is_admin:
        raise Forbidden("only an admin creates brands")


def ensure_can_manage(principal: Principal, brand_id: str) -> None:
    """A brand's products are managed by that brand's merchants, or an admin; no one else."""
    if principal.is_admin or principal.is_merchant_of(brand_id):
        return
    raise Forbidden("only a merchant of this product's brand, or an admin, may do this")
