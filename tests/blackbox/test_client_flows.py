"""Black-box: what a client sees through the gateway, acting at once, on the embedded
platform served for real (`make run`) and on the cluster (`make cluster`, nginx in front).

HTTP only, no access to any process, no settle(): each request follows the previous answer
at once. Only what the contract says is eventual (an event reaching another service: the
ranking, a new product reaching the shop service) is polled, for a bounded time.
"""
from __future__ import annotations


from tests.support.cluster import eventually, unique
from tests.support.shopping import PASSWORD, feature, new_product, pay, place_order, register

PROBLEM = "application/problem+json"


def test_a_member_registers_logs_in_and_reads_their_profile_at_once(gateway):
    username = unique("dora")
    answer = gateway.post("/api/auth/register", json={"username": username, "password": PASSWORD, "nickname": "Dora"})
    assert answer.status_code == 201, answer.text
    member_id = answer.json()["member_id"]
    login = gateway.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200 and login.json()["member_id"] == member_id
    me = gateway.get("/api/members/me", token=login.json()["token"])
    assert me.status_code == 200 and me.json()["member_id"] == member_id
    wrong = gateway.post("/api/auth/login", json={"username": username, "password": "not-the-password"})
    assert wrong.status_code == 401 and wrong.headers["Content-Type"] == PROBLEM


def test_a_new_product_is_in_the_catalog_at_once(gateway):
    product = new_product(gateway, stock=7)
    answer = gateway.get(f"/api/catalog/products/{product['id']}")
    assert answer.status_code == 200
    assert answer.json()["stock"] == 7 and answer.json()["status"] == "listed"
    listed = gateway.get("/api/catalog/products", params={"brand_id": product["brand_id"]}).json()
    assert [item["id"] for item in listed["items"]] == [product["id"]]


def test_buying_through_a_friends_shop_pays_commission_and_reaches_the_ranking(gateway):
    product = new_product(gateway, stock=10, list_price=12000, exclusive_price=10000, rate_bp=1000)
    owner_id, owner = register(gateway, "owner")
    buyer_id, buyer = register(gateway, "buyer")
    feature(gateway, owner, product["id"])
    shop = gateway.get(f"/api/shops/{owner_id}").json()
    assert [item["product_id"] for item in shop["featured"]] == [product["id"]]

    order = place_order(gateway, buyer, product["id"], quantity=2, shop_id=owner_id)
    assert order["status"] == "awaiting_payment", order
    # The price (exclusive or list) is the subject of the next test; the ledger and the
    # ranking must agree with whatever the order says.
    # Featured (exclusive price, 10% commission), or not yet known as featured (list price, none).
    assert (order["total_cents"], order["commission_cents"]) in ((20000, 2000), (24000, 0)), order
    assert gateway.get(f"/api/catalog/products/{product['id']}").json()["stock"] == 8
    paid = pay(gateway, buyer, order["id"])
    assert paid["status"] == "paid"
    commission = gateway.get("/api/commissions/me", token=owner).json()
    assert commission["pending_cents"] == order["commission_cents"], commission
    assert [item["order_id"] for item in commission["items"]] == ([order["id"]] if order["commission_cents"] else [])
    assert gateway.get("/api/commissions/me", token=buyer).json()["pending_cents"] == 0

    # The ranking learns of the sale from order.paid: eventual by contract.
    def ranked():
        answer = gateway.get(f"/api/ranking/members/{owner_id}", token=owner)
        return answer.status_code == 200 and answer.json()["stats"]["sales_cents_30d"] > 0 and answer.json()
    standing = eventually(ranked, 30, 0.2, "the sale reaching the ranking")
    assert standing["stats"]["sales_cents_30d"] == order["total_cents"]
    assert standing["score"] >= order["total_cents"] // 100 + 20   # sales, plus one distinct buyer


def test_an_order_placed_right_after_featuring_costs_the_exclusive_price(gateway):
    product = new_product(gateway, stock=10, list_price=12000, exclusive_price=10000, rate_bp=1000)
    owner_id, owner = register(gateway, "owner")
    _, buyer = register(gateway, "buyer")
    feature(gateway, owner, product["id"])
    order = place_order(gateway, buyer, product["id"], quantity=2, shop_id=owner_id)
    assert (order["total_cents"], order["commission_cents"]) == (20000, 2000), order


def test_an_order_right_after_a_product_is_listed_is_answered_by_the_catalog(gateway):
    product = new_product(gateway, stock=5)
    _, buyer = register(gateway, "buyer")
    order = place_order(gateway, buyer, product["id"], quantity=1)
    assert order["status"] == "awaiting_payment", order


def test_an_order_beyond_the_stock_is_rejected_and_takes_nothing(gateway):
    product = new_product(gateway, stock=2)
    _, buyer = register(gateway, "buyer")
    order = place_order(gateway, buyer, product["id"], quantity=3)
    assert order["status"] == "rejected" and order["rejection_reason"] == "out_of_stock", order
    assert gateway.get(f"/api/catalog/products/{product['id']}").json()["stock"] == 2
    again = gateway.post(f"/api/orders/{order['id']}/pay", token=buyer, json={"method": "simulated"})
    assert again.status_code == 409 and again.headers["Content-Type"] == PROBLEM


def test_bad_input_and_unknown_paths_are_problem_json_from_the_gateway(gateway):
    _, token = register(gateway, "bad")
    malformed = gateway.post("/api/orders", token=token, data="{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.headers["Content-Type"] == PROBLEM
    invalid = gateway.post("/api/orders", token=token, json={"items": [{"product_id": "x", "quantity": 0}]})
    assert invalid.status_code == 422 and invalid.headers["Content-Type"] == PROBLEM
    unrouted = gateway.get("/api/nowhere")
    assert unrouted.status_code == 404 and unrouted.headers["Content-Type"] == PROBLEM
    assert gateway.get("/api/ordersx").status_code == 404
    assert gateway.get("/health").status_code == 200
