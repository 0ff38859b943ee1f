"""Traffic for the store-watch tests, on the embedded platform and on the real servers."""
from __future__ import annotations

from tests.support.ranking_market import Market


def trade(market: Market) -> tuple[str, str, str]:
    """Some live traffic: members, a featured product, two paid orders, a visit."""
    seller, seller_token = market.member("lin")
    buyer, buyer_token = market.member("wei")
    tea = market.product(price_cents=50_000)
    market.call("post", "/api/shops/me/featured", seller_token, json={"product_id": tea})
    market.buy(buyer_token, tea, seller)
    market.call("post", f"/api/shops/{seller}/visits", buyer_token, json={})
    return seller, buyer_token, tea
