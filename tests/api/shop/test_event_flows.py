"""Event flows through the in-memory bus: catalog, order and ranking events reaching shops,
duplicated and out of order."""
from datetime import timedelta

from sqlalchemy import func, select

from services.shop.store.tables import notifications
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing (argon2id at its lowest cost)

SERVICES = ("catalog", "shop")


def featured_ids(client, member):
    return sorted(f["product_id"] for f in client.get(f"/api/shops/{member.id}").json["featured"])


def card(product_id, revision, **fields):
    return {"product_id": product_id, "brand_id": "b1", "name": "Oolong", "category": "tea", "image_url": None,
            "list_price_cents": 5000, "exclusive_price_cents": 4200, "commission_rate_bp": 500,
            "sensitive": False, "lowest_price_30d_cents": 4200, "status": "listed", "revision": revision,
            **fields}


# --- delisting propagation ----------------------------------------------------------------
def test_a_delisting_leaves_every_shop_at_once_and_tells_each_owner_why(world, client):
    alice, bob, carol, dave = (world.member(n) for n in ("alice", "bob", "carol", "dave"))
    recalled, other = world.product("Oolong"), world.product("Pu'er")
    fillers = [world.product(f"Tea {i}") for i in range(4)]
    for product in fillers[:3]:
        world.feature(alice, product)
    for member in (alice, bob, carol):
        assert world.feature(member, recalled).status_code == 201
    world.feature(bob, other)
    assert world.feature(alice, fillers[3]).status_code == 409  # alice is full, and locked in

    world.delist(recalled, reason="quality recall")

    assert featured_ids(client, alice) == sorted(fillers[:3])
    assert featured_ids(client, bob) == [other] and featured_ids(client, carol) == []
    assert world.feature(alice, fillers[3]).status_code == 201  # the slot is free at once
    for member in (alice, bob, carol):
        [note] = world.notifications(member)
        assert note["type"] == "product_delisted" and note["product_id"] == recalled
        assert "Oolong" in note["message"] and "quality recall" in note["message"]
    assert world.notifications(dave) == []
    removed = world.outbox("shop.featured.removed")
    assert sorted(r["member_id"] for r in removed) == sorted([alice.id, bob.id, carol.id])
    assert {r["reason"] for r in removed} == {"delisted"}


def test_a_price_update_reaches_every_shop_page(world, client, admin):
    alice, bob = world.member("alice"), world.member("bob")
    product = world.product("Oolong")
    world.feature(alice, product)
    world.feature(bob, product)
    client.patch(f"/api/catalog/products/{product}", json={"exclusive_price_cents": 3900, "list_price_cents": 4800},
                 headers=admin)
    world.settle()
    for member in (alice, bob):
        [shown] = client.get(f"/api/shops/{member.id}").json["featured"]
        assert (shown["list_price_cents"], shown["exclusive_price_cents"], shown["lowest_price_30d_cents"]) == (
            4800, 3900, 3900)


def test_a_redelivered_or_repeated_delisting_changes_nothing_more(world, client, platform):
    alice, bob = world.member("alice"), world.member("bob")
    product = world.product()
    world.feature(alice, product)
    world.feature(bob, product)
    world.delist(product)
    [delisted] = world.outbox("catalog.product.delisted", service="catalog", envelopes=True)
    world.redeliver(delisted)                                       # the same message again
    world.publish("catalog.product.delisted", delisted["data"])     # the same fact, a new event
    with platform["shop"].db.reading() as conn:
        assert conn.execute(select(func.count()).select_from(notifications)).scalar_one() == 2
    assert len(world.outbox("shop.featured.removed")) == 2
    assert featured_ids(client, alice) == [] and featured_ids(client, bob) == []


def test_an_update_arriving_after_the_delisting_does_not_bring_the_product_back(world, client):
    alice = world.member("alice")
    world.publish("catalog.product.listed", card("p1", 1))
    assert world.feature(alice, "p1").status_code == 201
    world.publish("catalog.product.delisted", {"product_id": "p1", "reason": "brand", "note": "recall", "revision": 3})
    world.publish("catalog.product.updated", card("p1", 2, exclusive_price_cents=3000))  # late
    assert featured_ids(client, alice) == []
    assert world.feature(alice, "p1").status_code == 422
    assert client.get("/api/shops/me/candidates", headers=alice.headers).json["total"] == 0
    world.publish("catalog.product.relisted", card("p1", 4, exclusive_price_cents=3000))
    assert world.feature(alice, "p1").status_code == 201
    [shown] = client.get(f"/api/shops/{alice.id}").json["featured"]
    assert shown["exclusive_price_cents"] == 3000


def test_a_delisting_overtaken_by_its_relisting_spares_shops_that_featured_since(world, client, clock):
    alice, bob = world.member("alice"), world.member("bob")
    world.publish("catalog.product.listed", card("p1", 1))
    world.feature(bob, "p1")                                     # before the delisting
    delisted_at = clock.advance(hours=1)
    clock.advance(hours=1)
    world.publish("catalog.product.relisted", card("p1", 3))     # arrives first
    clock.advance(minutes=5)
    world.feature(alice, "p1")                                   # after the relisting
    world.publish("catalog.product.delisted", {"product_id": "p1", "reason": "brand", "note": "recall", "revision": 2},
                  occurred_at=delisted_at)
    assert featured_ids(client, bob) == [] and featured_ids(client, alice) == ["p1"]
    assert len(world.notifications(bob)) == 1 and world.notifications(alice) == []


def test_a_delisting_before_the_listing_arrives_keeps_the_product_out(world, client):
    alice = world.member("alice")
    world.publish("catalog.product.delisted", {"product_id": "p1", "reason": "brand", "note": "recall", "revision": 2})
    world.publish("catalog.product.listed", card("p1", 1))
    assert world.feature(alice, "p1").status_code == 422


# --- tiers and slots ----------------------------------------------------------------------
def test_the_tier_sets_the_slot_count_and_a_drop_sends_the_newest_away_as_their_locks_end(world, client, clock):
    alice = world.member("alice")
    products = [world.product(f"Tea {i}") for i in range(7)]
    world.publish("ranking.influence.changed", {"member_id": alice.id, "score": 1200, "tier": 2, "slots": 6},
                  producer="ranking")
    page = client.get(f"/api/shops/{alice.id}").json
    assert page["slots"] == 6 and page["influence"] == {"score": 1200, "tier": 2}
    for product in products[:6]:
        assert world.feature(alice, product).status_code == 201
        clock.advance(minutes=10)
    assert world.feature(alice, products[6]).status_code == 409
    stale = clock.now() - timedelta(hours=2)
    world.publish("ranking.influence.changed", {"member_id": alice.id, "score": 3100, "tier": 3, "slots": 8},
                  producer="ranking", occurred_at=stale)
    assert client.get(f"/api/shops/{alice.id}").json["slots"] == 6  # older news is ignored
    clock.advance(hours=1)
    world.publish("ranking.influence.changed", {"member_id": alice.id, "score": 400, "tier": 1, "slots": 4},
                  producer="ranking")
    page = client.get(f"/api/shops/{alice.id}").json
    # Never more than the slot count on the page; the two newest wait out their locks.
    assert page["slots"] == 4 and [f["product_id"] for f in page["featured"]] == products[:4]
    assert world.feature(alice, products[6]).status_code == 409            # over its count: nothing added
    leaving = [n for n in world.notifications(alice) if n["type"] == "product_leaving"]
    assert sorted(n["product_id"] for n in leaving) == sorted(products[4:6])
    assert "tier 1" in leaving[0]["message"] and "4 featured slots" in leaving[0]["message"]

    clock.advance(hours=70, minutes=40)                     # products[4] was featured 72 h ago
    world.platform.run_periodic()
    world.settle()
    assert world.outbox("shop.featured.removed") == [
        {"member_id": alice.id, "product_id": products[4], "reason": "slots_reduced"}]
    clock.advance(minutes=10)
    world.platform.run_periodic()
    world.settle()
    assert [f["product_id"] for f in client.get(f"/api/shops/{alice.id}").json["featured"]] == products[:4]
    assert [e["product_id"] for e in world.outbox("shop.featured.removed")] == [products[4], products[5]]
    left = [n["product_id"] for n in world.notifications(alice) if n["type"] == "product_left_over_slots"]
    assert sorted(left) == sorted(products[4:6])
    assert world.feature(alice, products[6]).status_code == 409            # at its count: still full
    client.delete(f"/api/shops/me/featured/{products[0]}", headers=alice.headers)
    assert world.feature(alice, products[6]).status_code == 201


def test_a_tier_that_rises_again_before_the_locks_end_keeps_every_product(world, client, clock):
    alice = world.member("alice")
    products = [world.product(f"Tea {i}") for i in range(6)]
    world.publish("ranking.influence.changed", {"member_id": alice.id, "score": 1200, "tier": 2, "slots": 6},
                  producer="ranking")
    for product in products:
        world.feature(alice, product)
    clock.advance(hours=1)
    world.publish("ranking.influence.changed", {"member_id": alice.id, "score": 400, "tier": 1, "slots": 4},
                  producer="ranking")
    clock.advance(hours=1)
    world.publish("ranking.influence.changed", {"member_id": alice.id, "score": 1300, "tier": 2, "slots": 6},
                  producer="ranking")
    clock.advance(hours=80)
    world.platform.run_periodic()
    world.settle()
    assert len(client.get(f"/api/shops/{alice.id}").json["featured"]) == 6
    assert world.outbox("shop.featured.removed") == []


def test_a_product_whose_lock_already_ended_leaves_at_the_drop(world, client, clock):
    alice = world.member("alice")
    products = [world.product(f"Tea {i}") for i in range(5)]
    world.publish("ranking.influence.changed", {"member_id": alice.id, "score": 1200, "tier": 2, "slots": 6},
                  producer="ranking")
    for product in products:
        world.feature(alice, product)
        clock.advance(minutes=1)
    clock.advance(hours=100)
    world.publish("ranking.influence.changed", {"member_id": alice.id, "score": 10, "tier": 1, "slots": 4},
                  producer="ranking")
    assert [f["product_id"] for f in client.get(f"/api/shops/{alice.id}").json["featured"]] == products[:4]
    assert [e["product_id"] for e in world.outbox("shop.featured.removed")] == [products[4]]
    assert [n["type"] for n in world.notifications(alice)] == ["product_left_over_slots"]


def test_influence_for_a_member_unknown_here_is_ignored(world):
    world.publish("ranking.influence.changed", {"member_id": "elsewhere", "score": 1, "tier": 1, "slots": 4},
                  producer="ranking")


# --- orders -------------------------------------------------------------------------------
def test_a_refund_that_overtakes_its_payment_still_cancels_the_sale(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    product = world.product()
    world.paid("o1", bob, alice, [(product, 1, 4200)], event_type="order.refunded")
    world.paid("o1", bob, alice, [(product, 1, 4200)])
    stats = client.get("/api/shops/me/analytics", headers=alice.headers).json
    assert (stats["orders"], stats["sales_cents"]) == (0, 0)
    assert client.get("/api/members/me/purchases", headers=bob.headers).json["total"] == 0


def test_a_duplicated_payment_counts_once(world, client):
    alice, bob = world.member("alice"), world.member("bob")
    product = world.product()
    paid = world.paid("o1", bob, alice, [(product, 2, 4200)])
    world.redeliver(paid)
    world.publish("order.paid", paid["data"], producer="order")
    stats = client.get("/api/shops/me/analytics", headers=alice.headers).json
    assert (stats["orders"], stats["sales_cents"]) == (1, 8400)
