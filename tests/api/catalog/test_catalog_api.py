"""The catalog through the gateway: brands, products, listing, prices, stock, bad input."""
import json

import pytest

from shared.events import make_event
from tests.conftest import bearer

SERVICES = ("catalog",)


def new_product(**overrides):
    body = {"sku": "TEA-1", "name": "Longjing tea", "category": "food", "list_price_cents": 12800,
            "exclusive_price_cents": 9900, "commission_rate_bp": 800, "stock": 5}
    body.update(overrides)
    return body


@pytest.fixture
def brand(client, admin):
    response = client.post("/api/catalog/brands", json={"name": "West Lake Tea"}, headers=admin)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def merchant(brand):
    return bearer("merchant-1", roles=("merchant",), brand_id=brand["id"])


@pytest.fixture
def product(client, brand, merchant):
    response = client.post("/api/catalog/products", json=new_product(brand_id=brand["id"]), headers=merchant)
    assert response.status_code == 201, response.json
    return response.json


def history(client, admin):
    return [item["event"] for item in client.get("/internal/catalog/events?limit=5000", headers=admin).json["items"]]


def count_products(platform):
    from sqlalchemy import func, select
    from services.catalog.store import products
    with platform["catalog"].db.reading() as conn:
        return conn.execute(select(func.count()).select_from(products)).scalar_one()


class TestBrands:
    def test_only_admin_creates_brands(self, client, admin):
        assert client.post("/api/catalog/brands", json={"name": "A"}).status_code == 401
        assert client.post("/api/catalog/brands", json={"name": "A"}, headers=bearer("m1")).status_code == 403
        response = client.post("/api/catalog/brands", json={"name": "A", "logo_url": "https://cdn.example/a.png"},
                               headers=admin)
        assert response.status_code == 201
        assert client.get("/api/catalog/brands").json["total"] == 1
        assert client.get(f"/api/catalog/brands/{response.json['id']}").json["name"] == "A"

    def test_brand_names_are_unique(self, client, admin, brand):
        response = client.post("/api/catalog/brands", json={"name": "west lake tea"}, headers=admin)
        assert response.status_code == 409
        assert response.headers["Content-Type"] == "application/problem+json"

    def test_brand_created_event_is_in_the_outbox(self, client, admin, brand):
        events = history(client, admin)
        assert [e["type"] for e in events] == ["catalog.brand.created"]
        assert events[0]["data"] == {"brand_id": brand["id"], "name": "West Lake Tea"}


class TestProducts:
    def test_created_product_has_every_contract_field(self, product):
        for field in ("id", "brand_id", "sku", "name", "category", "list_price_cents", "exclusive_price_cents",
                      "commission_rate_bp", "stock", "sensitive", "status", "lowest_price_30d_cents",
                      "created_at", "updated_at"):
            assert field in product
        assert product["status"] == "listed" and product["lowest_price_30d_cents"] == 9900

    def test_only_the_brands_merchant_or_admin_creates(self, client, brand, admin):
        other = bearer("m2", roles=("merchant",), brand_id="another-brand")
        assert client.post("/api/catalog/products", json=new_product(brand_id=brand["id"]),
                           headers=other).status_code == 403
        assert client.post("/api/catalog/products", json=new_product(brand_id=brand["id"]),
                           headers=bearer("u1")).status_code == 403
        assert client.post("/api/catalog/products", json=new_product(brand_id=brand["id"]),
                           headers=admin).status_code == 201

    def test_sku_is_unique_within_a_brand_only(self, client, admin, brand, product):
        again = client.post("/api/catalog/products", json=new_product(brand_id=brand["id"]), headers=admin)
        assert again.status_code == 409
        other_brand = client.post("/api/catalog/brands", json={"name": "Other"}, headers=admin).json
        assert client.post("/api/catalog/products", json=new_product(brand_id=other_brand["id"]),
                           headers=admin).status_code == 201

    def test_search_by_text_category_brand_and_status(self, client, admin, brand, merchant, product):
        client.post("/api/catalog/products", json=new_product(brand_id=brand["id"], sku="CUP-1", name="Tea cup",
                                                              category="home"), headers=merchant)
        client.post("/api/catalog/products", json=new_product(brand_id=brand["id"], sku="PEN-1", name="Pen 100%",
                                                              category="office"), headers=merchant)
        assert client.get("/api/catalog/products?q=TEA").json["total"] == 2
        assert client.get("/api/catalog/products?category=home").json["items"][0]["sku"] == "CUP-1"
        assert client.get(f"/api/catalog/products?brand_id={brand['id']}").json["total"] == 3
        assert client.get("/api/catalog/products?q=100%25").json["total"] == 1  # % is literal
        assert client.get("/api/catalog/products?q=%25").json["total"] == 1
        page = client.get("/api/catalog/products?per_page=2&page=2").json
        assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 3, 1)
        # The total rides on the page's rows: a page past the end, or no match, still says it.
        past = client.get("/api/catalog/products?per_page=2&page=5").json
        assert (past["total"], past["items"]) == (3, [])
        assert client.get("/api/catalog/products?q=nothing-like-it").json == {
            "items": [], "page": 1, "per_page": 20, "total": 0}
        assert client.get("/api/catalog/products?q=nothing-like-it&page=3").json["total"] == 0
        client.post(f"/api/catalog/products/{product['id']}/delist", json={}, headers=merchant)
        assert client.get("/api/catalog/products").json["total"] == 2
        assert client.get("/api/catalog/products?status=delisted").json["items"][0]["id"] == product["id"]
        assert client.get("/api/catalog/products?status=all").json["total"] == 3

    def test_patch_changes_prices_and_keeps_the_lowest_of_30_days(self, client, clock, merchant, product):
        pid = product["id"]
        cheaper = client.patch(f"/api/catalog/products/{pid}", json={"exclusive_price_cents": 7000}, headers=merchant)
        assert cheaper.status_code == 200 and cheaper.json["lowest_price_30d_cents"] == 7000
        clock.advance(days=10)
        dearer = client.patch(f"/api/catalog/products/{pid}", json={"exclusive_price_cents": 11000}, headers=merchant)
        assert dearer.json["exclusive_price_cents"] == 11000
        assert dearer.json["lowest_price_30d_cents"] == 7000
        clock.advance(days=31)  # 7000 was replaced 31 days ago: it drops out
        assert client.get(f"/api/catalog/products/{pid}").json["lowest_price_30d_cents"] == 11000

    def test_patch_checks_prices_against_the_stored_ones(self, client, merchant, product):
        response = client.patch(f"/api/catalog/products/{product['id']}", json={"exclusive_price_cents": 20000},
                                headers=merchant)
        assert response.status_code == 422 and "exclusive_price_cents" in response.json["errors"]
        assert client.get(f"/api/catalog/products/{product['id']}").json["exclusive_price_cents"] == 9900

    def test_only_its_brand_changes_or_delists_a_product(self, client, product):
        other = bearer("m2", roles=("merchant",), brand_id="another-brand")
        assert client.patch(f"/api/catalog/products/{product['id']}", json={"stock": 1}, headers=other).status_code == 403
        assert client.post(f"/api/catalog/products/{product['id']}/delist", json={}, headers=other).status_code == 403
        assert client.get(f"/api/catalog/products/{product['id']}").json["stock"] == 5

    def test_delist_and_relist_emit_events(self, client, admin, merchant, product):
        pid = product["id"]
        delisted = client.post(f"/api/catalog/products/{pid}/delist", json={"reason": "recalled"}, headers=merchant)
        assert delisted.json["status"] == "delisted"
        assert client.post(f"/api/catalog/products/{pid}/delist", json={}, headers=merchant).status_code == 409
        assert client.post(f"/api/catalog/products/{pid}/relist", headers=merchant).json["status"] == "listed"
        assert client.post(f"/api/catalog/products/{pid}/relist", headers=merchant).status_code == 409
        events = history(client, admin)
        assert [e["type"] for e in events] == ["catalog.brand.created", "catalog.product.listed",
                                               "catalog.product.delisted", "catalog.product.relisted"]
        # Who delisted it (its brand's merchant), and what they wrote.
        assert (events[2]["data"]["reason"], events[2]["data"]["note"]) == ("brand", "recalled")
        revisions = [e["data"]["revision"] for e in events[1:]]
        assert revisions == sorted(revisions) and len(set(revisions)) == 3


class TestStockSaga:
    def place(self, platform, order_id, *lines):
        items = [{"product_id": pid, "quantity": qty, "unit_price_cents": 100} for pid, qty in lines]
        evt = make_event("order.placed", {"order_id": order_id, "buyer_id": "b1", "items": items}, "order")
        platform.bus.publish(evt.to_dict())
        return evt

    def settled(self, platform, order_id, event_type, *lines):
        items = [{"product_id": pid, "quantity": qty, "unit_price_cents": 100} for pid, qty in lines]
        evt = make_event(event_type, {"order_id": order_id, "buyer_id": "b1", "items": items,
                                      "total_cents": 100, "commission_cents": 0}, "order")
        platform.bus.publish(evt.to_dict())

    def outcomes(self, client, admin):
        return [(e["type"], e["data"]["order_id"], e["data"].get("reason"))
                for e in history(client, admin) if e["type"].startswith("catalog.stock")]

    def stock(self, client, pid):
        return client.get(f"/api/catalog/products/{pid}").json["stock"]

    def test_reserve_all_or_nothing(self, platform, client, admin, brand, merchant, product):
        cup = client.post("/api/catalog/products", json=new_product(brand_id=brand["id"], sku="CUP", stock=1),
                          headers=merchant).json
        self.place(platform, "o1", (product["id"], 2), (cup["id"], 2))
        platform.settle()
        assert self.outcomes(client, admin) == [("catalog.stock.rejected", "o1", "out_of_stock")]
        assert (self.stock(client, product["id"]), self.stock(client, cup["id"])) == (5, 1)
        self.place(platform, "o2", (product["id"], 2), (cup["id"], 1))
        platform.settle()
        assert self.outcomes(client, admin)[-1] == ("catalog.stock.reserved", "o2", None)
        assert (self.stock(client, product["id"]), self.stock(client, cup["id"])) == (3, 0)

    def test_rejection_reasons(self, platform, client, admin, merchant, product):
        self.place(platform, "o1", ("nope", 1))
        client.post(f"/api/catalog/products/{product['id']}/delist", json={}, headers=merchant)
        self.place(platform, "o2", (product["id"], 1))
        platform.settle()
        assert self.outcomes(client, admin) == [("catalog.stock.rejected", "o1", "unknown_product"),
                                                ("catalog.stock.rejected", "o2", "delisted")]

    def test_cancel_and_refund_give_stock_back_once(self, platform, client, admin, product):
        self.place(platform, "o1", (product["id"], 3))
        platform.settle()
        assert self.stock(client, product["id"]) == 2
        for _ in range(2):  # a second, distinct cancellation of the same order gives nothing more
            self.settled(platform, "o1", "order.cancelled", (product["id"], 3))
        platform.settle()
        assert self.stock(client, product["id"]) == 5

    def test_a_rejected_order_gives_nothing_back(self, platform, client, admin, product):
        self.place(platform, "o1", (product["id"], 9))
        platform.settle()
        self.settled(platform, "o1", "order.cancelled", (product["id"], 9))
        platform.settle()
        assert self.stock(client, product["id"]) == 5

    def test_a_cancellation_that_overtakes_its_placement_reserves_nothing(self, platform, client, admin, product):
        self.settled(platform, "o1", "order.cancelled", (product["id"], 2))
        platform.settle()
        self.place(platform, "o1", (product["id"], 2))
        platform.settle()
        assert self.stock(client, product["id"]) == 5
        assert self.outcomes(client, admin) == []

    def test_a_redelivered_placement_reserves_once(self, platform, client, admin, product):
        evt = self.place(platform, "o1", (product["id"], 2))
        platform.bus.publish(evt.to_dict())  # the same event id again
        platform.settle()
        assert self.stock(client, product["id"]) == 3
        assert len(self.outcomes(client, admin)) == 1


class TestBadInput:
    """Every bad input answers problem+json and changes nothing."""

    @pytest.mark.parametrize("body,field", [
        ({"sku": "X"}, "name"),
        (new_product(list_price_cents="12800"), "list_price_cents"),
        (new_product(list_price_cents=12.5), "list_price_cents"),
        (new_product(stock=-1), "stock"),
        (new_product(commission_rate_bp=5001), "commission_rate_bp"),
        (new_product(exclusive_price_cents=20000), "exclusive_price_cents"),
        (new_product(sku="bad sku!"), "sku"),
        (new_product(image_url="javascript:alert(1)"), "image_url"),
        (new_product(name="   "), "name"),
        (new_product(sensitive="maybe"), "sensitive"),
    ])
    def test_invalid_fields_are_422(self, platform, client, brand, merchant, body, field):
        body = {**body, "brand_id": brand["id"]}
        response = client.post("/api/catalog/products", json=body, headers=merchant)
        assert response.status_code == 422, response.json
        assert response.headers["Content-Type"] == "application/problem+json"
        assert field in response.json["errors"]
        assert count_products(platform) == 0

    def test_unknown_brand_is_422(self, platform, client, admin):
        response = client.post("/api/catalog/products", json=new_product(brand_id="nope"), headers=admin)
        assert response.status_code == 422 and "brand_id" in response.json["errors"]

    def test_malformed_json_is_400(self, platform, client, admin):
        for raw in ("{bad", "", "[1, 2"):
            response = client.post("/api/catalog/brands", data=raw, headers={**admin, "Content-Type": "application/json"})
            assert response.status_code in (400, 422)
            assert response.headers["Content-Type"] == "application/problem+json"
        response = client.post("/api/catalog/brands", data="{bad", headers={**admin, "Content-Type": "application/json"})
        assert response.status_code == 400

    def test_wrong_json_shape_is_422(self, client, admin):
        response = client.post("/api/catalog/brands", data=json.dumps([1, 2]),
                               headers={**admin, "Content-Type": "application/json"})
        assert response.status_code == 422

    def test_oversized_body_is_413(self, platform, client, admin):
        response = client.post("/api/catalog/brands", json={"name": "x", "description": "y" * 100_000}, headers=admin)
        assert response.status_code == 413
        assert response.headers["Content-Type"] == "application/problem+json"

    def test_unknown_ids_are_404(self, client, merchant):
        for response in (client.get("/api/catalog/products/nope"), client.get("/api/catalog/brands/nope"),
                         client.patch("/api/catalog/products/nope", json={"stock": 1}, headers=merchant),
                         client.post("/api/catalog/products/nope/delist", json={}, headers=merchant),
                         client.get("/api/nowhere")):
            assert response.status_code == 404
            assert response.headers["Content-Type"] == "application/problem+json"

    @pytest.mark.parametrize("header", ["Bearer forged.token.value", "Basic dXNlcjpwYXNz", "Bearer ", "token"])
    def test_bad_tokens_are_401(self, client, header):
        response = client.post("/api/catalog/brands", json={"name": "A"}, headers={"Authorization": header})
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/problem+json"

    def test_a_token_signed_with_another_secret_is_401(self, client):
        from shared.auth import issue_token
        from shared.principal import Principal
        forged = issue_token("someone-elses-secret-xxxxxxxxxxxxxxxxxxxx", Principal("x", ("admin",)))
        response = client.post("/api/catalog/brands", json={"name": "A"}, headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401

    def test_bad_query_parameters_are_422(self, client):
        for query in ("per_page=101", "per_page=0", "page=0", "page=x", "status=gone"):
            response = client.get(f"/api/catalog/products?{query}")
            assert response.status_code == 422, query

    def test_wrong_method_is_405_problem(self, client):
        response = client.put("/api/catalog/products")
        assert response.status_code == 405
        assert response.headers["Content-Type"] == "application/problem+json"


def test_openapi_and_health(client):
    spec = client.get("/openapi/catalog.json")
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3.")
    assert "/api/catalog/products/{product_id}" in spec.json["paths"]
    assert client.get("/health/live").status_code == 404  # per service, not on the gateway
    assert client.get("/health/catalog/live").json == {"service": "catalog", "status": "ok"}
    # Nothing consumes in this test: the API can still answer, so it is ready, but degraded.
    ready = client.get("/health/catalog/ready")
    assert ready.status_code == 200 and ready.json["status"] == "degraded"
    assert ready.json["checks"]["consumer"] == {"ok": False, "required": False,
                                                "detail": ready.json["checks"]["consumer"]["detail"]}
    assert ready.json["checks"]["database"] == {"ok": True, "required": True}
    health = client.get("/health")
    assert health.status_code == 200 and health.json["status"] == "degraded"
    assert health.json["services"]["catalog"]["status"] == "degraded"
    assert health.json["services"]["catalog"]["checks"]["database"]["ok"] is True


def test_a_malformed_url_is_422_not_500(client, admin):
    for url in ("http://[::1", "http:// example.com", "ftp://example.com/a.png", "https://"):
        response = client.post("/api/catalog/brands", json={"name": "A", "logo_url": url}, headers=admin)
        assert response.status_code == 422, url
        assert "logo_url" in response.json["errors"]


class TestLowestPriceLeavesTheWindow:
    """When a price cut is more than 30 days old, shop pages must stop showing it."""

    def test_the_sweep_sends_a_fresh_card_when_a_low_price_ages_out(self, platform, client, clock, admin,
                                                                    merchant, product):
        from services.catalog.usecases import announce_aged_prices
        pid = product["id"]
        db = platform["catalog"].db
        announce_aged_prices(db, clock.now())  # nothing has aged yet
        client.patch(f"/api/catalog/products/{pid}", json={"exclusive_price_cents": 7000}, headers=merchant)
        clock.advance(days=10)
        client.patch(f"/api/catalog/products/{pid}", json={"exclusive_price_cents": 11000}, headers=merchant)
        clock.advance(days=15)
        assert announce_aged_prices(db, clock.now()) == 0  # 7000 is still inside the window
        clock.advance(days=16)  # 7000 was replaced 31 days ago
        assert announce_aged_prices(db, clock.now()) == 1
        assert announce_aged_prices(db, clock.now()) == 0  # once
        cards = [e for e in history(client, admin) if e["type"] == "catalog.product.updated"]
        assert cards[-1]["data"]["lowest_price_30d_cents"] == 11000
        assert cards[-1]["data"]["revision"] > cards[-2]["data"]["revision"]

    def test_a_delisted_product_gets_no_card(self, platform, client, clock, admin, merchant, product):
        from services.catalog.usecases import announce_aged_prices
        client.patch(f"/api/catalog/products/{product['id']}", json={"exclusive_price_cents": 7000},
                     headers=merchant)
        client.post(f"/api/catalog/products/{product['id']}/delist", json={}, headers=merchant)
        clock.advance(days=31)
        assert announce_aged_prices(platform["catalog"].db, clock.now()) == 0



def test_a_page_of_products_is_presented_by_the_fast_path(client, product, monkeypatch):
    """The services' blueprints present through shared.dumps: a page of products is the
    fast path's answer, not marshmallow's."""
    from marshmallow import Schema
    calls = []
    monkeypatch.setattr(Schema, "_serialize", lambda *a, **k: calls.append(a) or {})
    page = client.get("/api/catalog/products").json
    assert [item["id"] for item in page["items"]] == [product["id"]]
    assert page["items"][0]["created_at"].endswith("Z")
    assert calls == []  # marshmallow's own serializer never ran
