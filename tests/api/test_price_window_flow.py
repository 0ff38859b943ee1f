"""A shop page stops showing a price cut once it is more than 30 days old (catalog -> shop)."""

SERVICES = ("catalog", "shop")


def test_the_shop_page_follows_the_lowest_price_out_of_the_window(platform, client, clock, admin):
    brand = client.post("/api/catalog/brands", json={"name": "Tea"}, headers=admin).json
    product = client.post("/api/catalog/products", headers=admin, json={
        "brand_id": brand["id"], "sku": "T1", "name": "Tea", "category": "tea", "list_price_cents": 12000,
        "exclusive_price_cents": 10000, "commission_rate_bp": 500, "stock": 10}).json
    owner = client.post("/api/auth/register", json={"username": "owner1", "password": "a-long-password",
                                                    "nickname": "Owner"}).json
    platform.settle()
    member = {"Authorization": f"Bearer {owner['token']}"}
    assert client.post("/api/shops/me/featured", json={"product_id": product["id"]}, headers=member).status_code == 201
    client.patch(f"/api/catalog/products/{product['id']}", json={"exclusive_price_cents": 7000}, headers=admin)
    clock.advance(days=10)
    client.patch(f"/api/catalog/products/{product['id']}", json={"exclusive_price_cents": 11000}, headers=admin)
    platform.settle()

    def shown():
        featured = client.get(f"/api/shops/{owner['member_id']}").json["featured"][0]
        return featured["exclusive_price_cents"], featured["lowest_price_30d_cents"]

    assert shown() == (11000, 7000)
    clock.advance(days=25)  # day 35: the cut ended on day 10, 25 days ago, so it still counts
    platform.run_periodic()
    platform.settle()
    assert shown() == (11000, 7000)
    clock.advance(days=6)  # day 41: the cut ended 31 days ago; only 11000 is left in the window
    platform.run_periodic()
    platform.settle()
    assert shown() == (11000, 11000)
    assert client.get(f"/api/catalog/products/{product['id']}").json["lowest_price_30d_cents"] == 11000
