"""Shops, featured slots, candidates, visits, analytics and purchases through the gateway."""
import pytest
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing (argon2id at its lowest cost)

SERVICES = ("catalog", "shop")


def featured_ids(client, member):
    return [f["product_id"] for f in client.get(f"/api/shops/{member.id}").json["featured"]]


# --- the shop page and featured slots -----------------------------------------------------
def test_the_shop_page_shows_featured_products_with_their_prices_and_lock(world, client, clock):
    alice = world.member("alice")
    product = world.product("Oolong", list_price_cents=5000, exclusive_price_cents=4200)
    response = world.feature(alice, product)
    assert response.status_code == 201
    assert response.json["locked_until"] == "2026-11-04T04:00:00Z"
    page = client.get(f"/api/shops/{alice.id}").json
    assert page["slots"] == 4 and page["influence"] == {"score": 0, "tier": 1}
    assert page["featured"] == [{
        "product_id": product, "name": "Oolong", "image_url": None, "list_price_cents": 5000,
        "exclusive_price_cents": 4200, "lowest_price_30d_cents": 4200,
        "featured_at": "2026-11-01T04:00:00Z", "locked_until": "2026-11-04T04:00:00Z"}]
    assert world.outbox("shop.featured.added") == [{"member_id": alice.id, "product_id": product}]


def test_an_unknown_shop_is_404(world, client):
    assert client.get("/api/shops/nobody").status_code == 404


def test_unknown_and_delisted_products_cannot_be_featured(world, client):
    alice = world.member("alice")
    unknown = world.feature(alice, "no-such-product")
    assert unknown.status_code == 404 and unknown.json["detail"] == "no product no-such-product"
    product = world.product()
    world.delist(product)
    delisted = world.feature(alice, product)
    assert delisted.status_code == 422 and delisted.json["errors"] == {"product_id": ["product is not listed"]}
    assert featured_ids(client, alice) == [] and world.outbox("shop.featured.added") == []


def test_featuring_twice_is_a_conflict(world, client):
    alice, product = world.member("alice"), world.product()
    world.feature(alice, product)
    assert world.feature(alice, product).status_code == 409
    assert featured_ids(client, alice) == [product]


def test_a_fifth_product_finds_every_slot_taken(world, client):
    alice = world.member("alice")
    products = [world.product(f"Tea {i}") for i in range(5)]
    for product in products[:4]:
        assert world.feature(alice, product).status_code == 201
    full = world.feature(alice, products[4])
    assert full.status_code == 409 and full.json["slots"] == 4
    assert sorted(featured_ids(client, alice)) == sorted(products[:4])


def test_a_featured_product_is_locked_for_72_hours(world, client, clock):
    alice, product = world.member("alice"), world.product()
    world.feature(alice, product)
    clock.advance(hours=71, minutes=59)
    locked = client.delete(f"/api/shops/me/featured/{product}", headers=alice.headers)
    assert locked.status_code == 409 and locked.json["locked_until"] == "2026-11-04T04:00:00Z"
    assert featured_ids(client, alice) == [product]
    clock.advance(minutes=1)
    assert client.delete(f"/api/shops/me/featured/{product}", headers=alice.headers).status_code == 204
    assert featured_ids(client, alice) == []
    assert world.outbox("shop.featured.removed") == [{"member_id": alice.id, "product_id": product,
                                                      "reason": "removed"}]


def test_removing_a_product_that_is_not_featured_is_404(world, client):
    alice = world.member("alice")
    assert client.delete("/api/shops/me/featured/whatever", headers=alice.headers).status_code == 404


def test_no_member_changes_another_members_shop(world, client, clock):
    alice, bob, product = world.member("alice"), world.member("bob"), world.product()
    world.feature(alice, product)
    clock.advance(hours=80)
    # "me" is always the token's member: Bob's delete reaches Bob's shop, which lacks it.
    assert client.delete(f"/api/shops/me/featured/{product}", headers=bob.headers).status_code == 404
    # No route addresses another member's featured slots at all.
    assert client.delete(f"/api/shops/{alice.id}/featured/{product}", headers=bob.headers).status_code == 404
    assert client.post(f"/api/shops/{alice.id}/featured", json={"product_id": product},
                       headers=bob.headers).status_code == 404
    assert featured_ids(client, alice) == [product]
    assert client.post("/api/shops/me/featured", json={"product_id": product}).status_code == 401


@pytest.mark.parametrize("body", [{}, {"product_id": ""}, {"product_id": 3}, {"product_id": None},
                                  {"product_id": "p", "slot": 2}])
def test_bad_feature_requests_are_422_and_store_nothing(world, client, body):
    alice = world.member("alice")
    response = client.post("/api/shops/me/featured", json=body, headers=alice.headers)
    assert response.status_code == 422 and response.headers["Content-Type"] == "application/problem+json"
    assert world.outbox("shop.featured.added") == []


# --- candidates ---------------------------------------------------------------------------
def test_candidates_are_the_listed_library_each_marked_featured(world, client):
    alice = world.member("alice")
    oolong, puer, mug = world.product("Oolong"), world.product("Pu'er"), world.product("Mug", category="ware")
    gone = world.product("Gone tea")
    world.delist(gone)
    world.feature(alice, puer)
    page = client.get("/api/shops/me/candidates", headers=alice.headers).json
    assert {(c["product_id"], c["featured"]) for c in page["items"]} == {(oolong, False), (puer, True), (mug, False)}
    assert page["total"] == 3
    by_text = client.get("/api/shops/me/candidates?q=OOL", headers=alice.headers).json["items"]
    assert [c["product_id"] for c in by_text] == [oolong]
    by_category = client.get("/api/shops/me/candidates?category=ware", headers=alice.headers).json["items"]
    assert [c["product_id"] for c in by_category] == [mug]
    wildcard = client.get("/api/shops/me/candidates?q=%25", headers=alice.headers).json["items"]
    assert wildcard == []


def test_purchased_candidates_are_what_the_member_bought_and_kept(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    oolong, puer, mug = world.product("Oolong"), world.product("Pu'er"), world.product("Mug")
    world.paid("o1", alice, bob, [(oolong, 1, 4200)])
    world.paid("o2", alice, None, [(puer, 1, 5000)])
    world.paid("o2", alice, None, [(puer, 1, 5000)], event_type="order.refunded")
    world.paid("o3", bob, None, [(mug, 1, 100)])
    page = client.get("/api/shops/me/candidates?source=purchased", headers=alice.headers).json
    assert [c["product_id"] for c in page["items"]] == [oolong]


@pytest.mark.parametrize("query", ["source=stolen", "per_page=0", "per_page=101", "page=0", "q=" + "x" * 101])
def test_bad_candidate_queries_are_422(world, client, query):
    alice = world.member("alice")
    assert client.get(f"/api/shops/me/candidates?{query}", headers=alice.headers).status_code == 422


# --- visits and analytics -----------------------------------------------------------------
def visit(client, shop, headers=None, **body):
    return client.post(f"/api/shops/{shop.id}/visits", json=body, headers=headers or {})


def test_visits_count_each_time_but_each_visitor_once(world, client, clock):
    alice, bob, carol, shy = (world.member(n) for n in ("alice", "bob", "carol", "shy"))
    client.put("/api/members/me/privacy", headers=shy.headers, json={"show_me_as_visitor": False})
    product = world.product()
    assert visit(client, alice, bob.headers, product_id=product).status_code == 202
    clock.advance(minutes=1)
    visit(client, alice, bob.headers)
    clock.advance(minutes=1)
    visit(client, alice, visitor_key="browser-0001", product_id=product)
    visit(client, alice, visitor_key="browser-0001")
    clock.advance(minutes=1)
    visit(client, alice, shy.headers)
    clock.advance(minutes=1)
    visit(client, alice, carol.headers)
    own = visit(client, alice, alice.headers, product_id=product)
    assert own.status_code == 202 and own.json == {"visit_id": None, "counted": False}
    stats = client.get("/api/shops/me/analytics", headers=alice.headers).json
    # The browser is two visits but no visitor: only signed-in members are (bob, shy, carol).
    assert (stats["visits"], stats["unique_visitors"], stats["anonymous_visits"]) == (6, 3, 2)
    assert [(v["member_id"], v["nickname"]) for v in stats["recent_visitors"]] == [(carol.id, "Carol"),
                                                                                   (bob.id, "Bob")]
    assert stats["recent_visitors"][1]["at"] == "2026-11-01T04:01:00Z"
    assert [(p["product_id"], p["views"]) for p in stats["products"]] == [(product, 2)]
    visited = world.outbox("shop.visited")
    assert len(visited) == 6 and visited[2]["visitor"] == "anon:browser-0001"


@pytest.mark.parametrize("body, status", [
    ({}, 422), ({"visitor_key": "short"}, 422), ({"visitor_key": "has spaces in it"}, 422),
    ({"visitor_key": "browser-0001", "product_id": "no-such"}, 404), ({"visitor_key": 5}, 422),
])
def test_bad_visits_are_problems_and_count_nothing(world, client, body, status):
    alice = world.member("alice")
    assert client.post(f"/api/shops/{alice.id}/visits", json=body).status_code == status
    assert world.outbox("shop.visited") == []


def test_a_visit_to_an_unknown_shop_is_404(world, client):
    assert client.post("/api/shops/nobody/visits", json={"visitor_key": "browser-0001"}).status_code == 404


def test_analytics_count_paid_minus_refunded_orders_through_the_shop(world, client):
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    oolong, puer = world.product("Oolong"), world.product("Pu'er")
    world.paid("o1", bob, alice, [(oolong, 2, 4200), (puer, 1, 3000)])
    world.paid("o2", carol, alice, [(oolong, 1, 4200)])
    world.paid("o3", carol, alice, [(puer, 5, 3000)])
    world.paid("o3", carol, alice, [(puer, 5, 3000)], event_type="order.refunded")
    world.paid("o4", alice, alice, [(oolong, 9, 4200)])  # her own purchase
    world.paid("o5", bob, carol, [(oolong, 1, 4200)])   # another shop
    stats = client.get("/api/shops/me/analytics", headers=alice.headers).json
    assert (stats["orders"], stats["sales_cents"]) == (2, 2 * 4200 + 3000 + 4200)
    assert stats["products"] == [
        {"product_id": oolong, "views": 0, "orders": 2, "units": 3, "sales_cents": 3 * 4200,
         "figures_withheld": False},
        {"product_id": puer, "views": 0, "orders": 1, "units": 1, "sales_cents": 3000, "figures_withheld": False}]


def test_analytics_are_the_owners_only(world, client):
    assert client.get("/api/shops/me/analytics").status_code == 401


# --- purchases and privacy ----------------------------------------------------------------
def befriend(world, client, a, b):
    request_id = client.post("/api/members/me/friend-requests", json={"member_id": b.id}, headers=a.headers).json["id"]
    client.post(f"/api/members/me/friend-requests/{request_id}/accept", headers=b.headers)


def test_purchases_are_private_by_default_and_sensitive_ones_only_for_the_buyer(world, client):
    alice, friend, stranger = world.member("alice"), world.member("friend"), world.member("stranger")
    befriend(world, client, alice, friend)
    tea, kit = world.product("Tea"), world.product("Test kit", sensitive=True)
    world.paid("o1", alice, None, [(tea, 1, 100), (kit, 1, 100)])
    mine = client.get(f"/api/members/{alice.id}/purchases", headers=alice.headers)
    assert {p["product_id"] for p in mine.json["items"]} == {tea, kit}
    assert client.get("/api/members/me/purchases", headers=alice.headers).json == mine.json
    assert client.get(f"/api/members/{alice.id}/purchases", headers=friend.headers).status_code == 403
    client.put("/api/members/me/privacy", headers=alice.headers, json={"purchases_visible_to": "friends"})
    seen = client.get(f"/api/members/{alice.id}/purchases", headers=friend.headers).json
    assert [p["product_id"] for p in seen["items"]] == [tea] and seen["total"] == 1
    assert client.get(f"/api/members/{alice.id}/purchases", headers=stranger.headers).status_code == 403
    assert client.get(f"/api/members/{alice.id}/purchases").status_code == 403
    assert client.get("/api/members/nobody/purchases", headers=alice.headers).status_code == 404


def test_a_sensitive_products_buyers_cannot_be_told_from_the_analytics(world, client):
    alice = world.member("alice")
    pill = world.product("Private remedy", sensitive=True)
    tea = world.product("Oolong")
    assert world.feature(alice, pill).status_code == 201
    buyers = [world.member(f"buyer{i}") for i in range(5)]
    for buyer in buyers[:2]:
        visit(client, alice, buyer.headers, product_id=pill)
    world.paid("o0", buyers[0], alice, [(pill, 1, 9900)])
    world.paid("o1", buyers[1], alice, [(tea, 1, 4200)])
    stats = client.get("/api/shops/me/analytics", headers=alice.headers).json
    assert stats["recent_visitors"] == [] and stats["recent_visitors_withheld"] is True
    line = next(p for p in stats["products"] if p["product_id"] == pill)
    assert line == {"product_id": pill, "views": 2, "figures_withheld": True}
    assert (stats["orders"], stats["sales_cents"]) == (1, 4200)
    assert stats["unique_visitors"] == 2
    # The buyer still sees it among their own purchases; nobody else ever does.
    assert [p["product_id"] for p in client.get("/api/members/me/purchases", headers=buyers[0].headers).json["items"]] == [pill]

    for n, buyer in enumerate(buyers[1:], start=1):     # five distinct buyers: safe to show
        world.paid(f"p{n}", buyer, alice, [(pill, 1, 9900)])
    stats = client.get("/api/shops/me/analytics", headers=alice.headers).json
    line = next(p for p in stats["products"] if p["product_id"] == pill)
    assert (line["orders"], line["units"], line["sales_cents"], line["figures_withheld"]) == (5, 5, 5 * 9900, False)
    assert stats["recent_visitors_withheld"] is False and len(stats["recent_visitors"]) == 2
