"""Names that are the same to a person are the same to the catalog: a brand name differing
only by Unicode normalisation or case is the same 409, never a 500, whatever the script;
and `?category=` matches without regard to case, in the catalog and in the shop."""
import unicodedata

import pytest

from tests.conftest import bearer

SERVICES = ("catalog", "shop")


@pytest.mark.parametrize("first,second", [
    ("\u00e6\u00ac\u0102\u0102\u00e6", "\u00e6\u00ac\u0102\u0102\u00e6"),   # the fuzzer's name, twice
    ("\u00e6\u00ac\u0102\u0102\u00e6", "\u00c6\u00ac\u0103\u0103\u00c6"),   # the same, other case
    ("Caf\u00e9", "Cafe\u0301"),                                              # composed vs combining accent
    ("Caf\u00e9", "CAF\u00c9"),
    ("Stra\u00dfe", "STRASSE"),                                               # case folding, not lower()
    ("West Lake", "west lake"),
])
def test_a_brand_name_differing_only_by_normalisation_or_case_is_the_same_409(client, admin, first, second):
    created = client.post("/api/catalog/brands", json={"name": first}, headers=admin)
    assert created.status_code == 201, created.json
    assert created.json["name"] == unicodedata.normalize("NFC", first)
    again = client.post("/api/catalog/brands", json={"name": second}, headers=admin)
    assert again.status_code == 409, again.json
    assert again.headers["Content-Type"] == "application/problem+json"
    assert client.get("/api/catalog/brands").json["total"] == 1


def test_categories_match_whatever_their_case(client, admin, platform):
    brand = client.post("/api/catalog/brands", json={"name": "Tea House"}, headers=admin).json["id"]
    made = client.post("/api/catalog/products", headers=admin, json={
        "brand_id": brand, "sku": "T-1", "name": "Oolong", "category": "tea", "list_price_cents": 100,
        "exclusive_price_cents": 90, "commission_rate_bp": 0, "stock": 1})
    assert made.status_code == 201
    for category in ("tea", "TEA", "Tea"):
        found = client.get(f"/api/catalog/products?category={category}").json
        assert [p["id"] for p in found["items"]] == [made.json["id"]], category
    platform.settle()
    member = client.post("/api/auth/register", json={"username": "dora", "password": "a-long-password",
                                                     "nickname": "Dora"}).json
    candidates = client.get("/api/shops/me/candidates?category=TEA", headers=bearer(member["member_id"])).json
    assert [c["product_id"] for c in candidates["items"]] == [made.json["id"]]
