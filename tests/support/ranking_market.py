"""A market driven through the gateway: members, a product, orders through shops.

Used by the end-to-end tests on the embedded platform and on the real servers alike.
"""
from __future__ import annotations

from services.ranking.rebuild import histories, rebuild
from tests.conftest import bearer
from tests.support.ranking_events import snapshot


class Market:
    def __init__(self, platform, client, admin):
        self.platform, self.client, self.admin = platform, client, admin

    def call(self, method, path, token=None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else self.admin
        reply = getattr(self.client, method)(path, headers=headers, **kwargs)
        assert reply.status_code < 300, (path, reply.status_code, reply.json)
        self.platform.settle()
        return reply.json

    def member(self, username):
        body = self.call("post", "/api/auth/register", token="-",
                         json={"username": username, "password": "a long passphrase 1", "nickname": username.title()})
        return body["member_id"], body["token"]

    def product(self, price_cents):
        brand = self.call("post", "/api/catalog/brands", json={"name": "Tea House"})["id"]
        return self.call("post", "/api/catalog/products", json={
            "brand_id": brand, "sku": "tea-1", "name": "Pu'er", "category": "tea", "stock": 10,
            "list_price_cents": price_cents + 20_000, "exclusive_price_cents": price_cents,
            "commission_rate_bp": 500})["id"]

    def buy(self, token, product_id, shop_id):
        order = self.call("post", "/api/orders", token, json={"items": [{"product_id": product_id, "quantity": 1}],
                                                                "shop_id": shop_id})
        return self.call("post", f"/api/orders/{order['id']}/pay", token, json={"method": "simulated"})

    def shop(self, member_id):
        return self.call("get", f"/api/shops/{member_id}")


def a_rebuild_gives_the_same_ranking(market: Market) -> None:
    """Live traffic, then the ranking's Redis wiped and rebuilt from the shop's and the
    order's history: the board, a friend board and every key come back the same."""
    platform, client, admin = market.platform, market.client, market.admin
    seller, seller_token = market.member("lin")
    other, other_token = market.member("amy")
    buyer, buyer_token = market.member("wei")
    tea = market.product(price_cents=50_000)
    market.call("post", "/api/shops/me/featured", seller_token, json={"product_id": tea})
    market.buy(buyer_token, tea, seller)
    market.buy(buyer_token, tea, other)
    refunded = market.buy(other_token, tea, seller)
    market.call("post", f"/api/orders/{refunded['id']}/refund", other_token)
    market.call("post", f"/api/shops/{seller}/visits", buyer_token, json={})
    market.call("put", "/api/members/me/privacy", other_token, json={
        "purchases_visible_to": "nobody", "stats_visible_to": "everyone", "show_in_leaderboards": False,
        "show_me_as_visitor": True})
    market.call("post", "/api/members/me/friend-requests", seller_token, json={"member_id": buyer})
    [request] = market.call("get", "/api/members/me/friend-requests", buyer_token)["items"]
    market.call("post", f"/api/members/me/friend-requests/{request['id']}/accept", buyer_token)

    store = platform["ranking"].context.store
    board = client.get("/api/ranking/influence").json
    friends = client.get("/api/ranking/friends", headers=bearer(buyer)).json
    before = snapshot(store.redis)
    assert [i["member_id"] for i in board["items"]] == [seller]       # amy hides herself
    assert board["items"][0]["score"] == 500 + 20 + 2 + 10
    assert [i["member_id"] for i in friends["items"]] == [seller, buyer]

    store.redis.flushdb()
    assert client.get("/api/ranking/influence").json == {"items": []}

    def fetch(path, params):
        reply = client.get(path, query_string=params, headers=admin)
        assert reply.status_code == 200, reply.json
        return reply.json
    report = rebuild(platform["ranking"].context.scorer, histories(fetch))
    platform.settle()
    assert report.replayed >= 10
    assert client.get("/api/ranking/influence").json == board
    assert client.get("/api/ranking/friends", headers=bearer(buyer)).json == friends
    assert snapshot(store.redis) == before
    # The shop heard each final standing once more, and still agrees.
    assert market.shop(seller)["influence"] == {"score": board["items"][0]["score"], "tier": 1}
