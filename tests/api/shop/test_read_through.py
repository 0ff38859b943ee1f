"""A projection that has not heard of an id asks its owner before it refuses
(docs/owners-decide.md): the shop asks the catalog about a product to feature and about a
brand to bind a merchant to. No settle() between the owner's answer and the request: the
catalog's event is still on its way."""
from shared.owners import Owners

from .test_api_accounts import merchant_body
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing (argon2id at its lowest cost)

SERVICES = ("catalog", "shop")


def test_a_product_just_created_can_be_featured_at_once(world, client):
    alice = world.member("alice")
    product = world.product(settle=False)
    response = world.feature(alice, product)
    assert response.status_code == 201, response.json
    assert (response.json["product_id"], response.json["exclusive_price_cents"]) == (product, 4200)
    world.settle()                                  # the listing event arrives: nothing changes
    page = client.get(f"/api/shops/{alice.id}").json
    assert [(p["product_id"], p["exclusive_price_cents"]) for p in page["featured"]] == [(product, 4200)]
    assert world.outbox("shop.featured.added") == [{"member_id": alice.id, "product_id": product}]


def test_a_product_delisted_before_its_events_arrive_is_refused_as_the_catalog_says(world, client, admin):
    alice = world.member("alice")
    product = world.product(settle=False)
    client.post(f"/api/catalog/products/{product}/delist", json={"reason": "recall"}, headers=admin)
    response = world.feature(alice, product)
    assert response.status_code == 422 and response.json["errors"] == {"product_id": ["product is not listed"]}
    world.settle()                                  # the late listing does not make it featurable
    assert world.feature(alice, product).status_code == 422


def test_a_product_the_catalog_does_not_know_either_is_404(world):
    assert world.feature(world.member("alice"), "no-such-product").status_code == 404


def test_a_merchant_for_a_brand_just_created_is_created_at_once(world, client, admin):
    brand = client.post("/api/catalog/brands", json={"name": "Fresh Brand"}, headers=admin).json["id"]
    response = client.post("/api/auth/merchants", json=merchant_body(brand), headers=admin)
    assert response.status_code == 201, response.json
    assert response.json["brand_id"] == brand


def test_a_merchant_for_a_brand_the_catalog_does_not_know_is_422(world, client, admin):
    response = client.post("/api/auth/merchants", json=merchant_body("no-such-brand"), headers=admin)
    assert response.status_code == 422 and response.json["errors"] == {"brand_id": ["no such brand"]}


def test_when_the_owner_cannot_answer_the_shop_says_503_not_404(world, platform, client):
    alice = world.member("alice")
    product = world.product(settle=False)
    context = platform["shop"].context
    context.owners, held = Owners({}), context.owners       # no catalog to ask
    try:
        response = world.feature(alice, product)
    finally:
        context.owners = held
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.json["owner"] == "catalog"
    assert world.outbox("shop.featured.added") == []
