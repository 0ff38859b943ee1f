"""The order saga on RabbitMQ and PostgreSQL, workers running: reservation, payment,
refund, cancellation and expiry give the stock back; a redelivered answer changes nothing;
concurrent orders never oversell; an Idempotency-Key race makes one order; two withdrawals
at the same moment never spend one balance twice."""
from __future__ import annotations

import threading

from flask import Response
from werkzeug.test import Client

from runtime.embedded import wait_settled
from services.order import store
from shared.bus import wait_for
from shared.events import make_event
from shared.outbox import history
from tests.conftest import bearer
from tests.support.oversell import ORDERS_PER_THREAD, THREADS, fire_orders_at

BUYER, FRIEND = "m-buyer", "m-friend"


def _product(client, admin, *, stock, sku="tea-1") -> str:
    brand = client.post("/api/catalog/brands", json={"name": f"Brand {sku}"}, headers=admin).json["id"]
    response = client.post("/api/catalog/products", headers=admin, json={
        "brand_id": brand, "sku": sku, "name": "Tea", "category": "tea", "list_price_cents": 5000,
        "exclusive_price_cents": 4500, "commission_rate_bp": 1000, "stock": stock})
    assert response.status_code == 201
    return response.json["id"]


def _order_status(client, order_id, who=BUYER) -> str:
    return client.get(f"/api/orders/{order_id}", headers=bearer(who)).json["status"]


def _stock(client, product_id) -> int:
    return client.get(f"/api/catalog/products/{product_id}").json["stock"]


def _place(cluster, client, product_id, quantity, **extra):
    assert wait_for(lambda: _card_known(cluster, product_id), 15)
    response = client.post("/api/orders", json={"items": [{"product_id": product_id, "quantity": quantity}],
                                                **extra}, headers=bearer(BUYER))
    assert response.status_code == 202, response.json
    return response.json["id"]


def _card_known(cluster, product_id) -> bool:
    with cluster["order"].db.reading() as conn:
        return product_id in store.cards_by_ids(conn, [product_id])


def test_the_saga_reserves_and_every_way_out_gives_the_stock_back(cluster, client, admin, clock):
    cluster.start()
    tea = _product(client, admin, stock=10)
    paid = _place(cluster, client, tea, 3)
    assert wait_for(lambda: _order_status(client, paid) == "awaiting_payment", 15)
    assert client.post(f"/api/orders/{paid}/pay", json={"method": "simulated"},
                       headers=bearer(BUYER)).json["status"] == "paid"
    cancelled = _place(cluster, client, tea, 2)
    assert wait_for(lambda: _order_status(client, cancelled) == "awaiting_payment", 15)
    assert _stock(client, tea) == 5
    client.post(f"/api/orders/{cancelled}/cancel", headers=bearer(BUYER))
    client.post(f"/api/orders/{paid}/refund", headers=bearer(BUYER))
    assert wait_for(lambda: _stock(client, tea) == 10, 15)

    expiring = _place(cluster, client, tea, 4)
    assert wait_for(lambda: _stock(client, tea) == 6, 15)
    clock.advance(minutes=30)
    cluster.run_periodic()
    assert _order_status(client, expiring) == "cancelled"
    assert wait_for(lambda: _stock(client, tea) == 10, 15)

    rejected = _place(cluster, client, tea, 11)
    assert wait_for(lambda: _order_status(client, rejected) == "rejected", 15)
    assert client.get(f"/api/orders/{rejected}", headers=bearer(BUYER)).json["rejection_reason"] == "out_of_stock"
    wait_settled(cluster, 15)
    assert _stock(client, tea) == 10


def test_a_duplicated_answer_from_the_broker_changes_nothing(cluster, client, admin):
    cluster.start()
    tea = _product(client, admin, stock=5)
    order_id = _place(cluster, client, tea, 2)
    assert wait_for(lambda: _order_status(client, order_id) == "awaiting_payment", 15)
    client.post(f"/api/orders/{order_id}/cancel", headers=bearer(BUYER))
    assert wait_for(lambda: _stock(client, tea) == 5, 15)
    [reserved] = [i["event"] for i in history(cluster["catalog"].db, types=["catalog.stock.reserved"])]
    cluster.bus.publish(reserved)                                               # redelivered: same id
    cluster.bus.publish(make_event("catalog.stock.reserved", reserved["data"], "catalog").to_dict())  # new id
    wait_settled(cluster, 15)
    assert _order_status(client, order_id) == "cancelled"
    assert _stock(client, tea) == 5
    assert cluster["order"].consumer.dead_lettered == 0


def test_concurrent_orders_never_oversell(cluster, admin):
    outcome = fire_orders_at(cluster, admin, start_stock=17)
    assert len(outcome["orders"]) == THREADS * ORDERS_PER_THREAD
    assert outcome["reserved"] + outcome["remaining"] == 17
    assert outcome["remaining"] >= 0
    assert {o["status"] for o in outcome["orders"]} == {"awaiting_payment", "rejected"}


def test_one_idempotency_key_at_the_same_moment_makes_one_order(cluster, client, admin):
    cluster.start()
    tea = _product(client, admin, stock=50)
    assert wait_for(lambda: _card_known(cluster, tea), 15)
    start = threading.Barrier(10)
    answers = []

    def send():
        own = Client(cluster.gateway, Response)
        start.wait()
        answers.append(own.post("/api/orders", json={"items": [{"product_id": tea, "quantity": 1}]},
                                headers={**bearer(BUYER), "Idempotency-Key": "same-click"}))

    threads = [threading.Thread(target=send) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {a.status_code for a in answers} == {202}
    [order_id] = {a.json["id"] for a in answers}
    assert wait_for(lambda: _order_status(client, order_id) == "awaiting_payment", 15)
    wait_settled(cluster, 15)
    assert _stock(client, tea) == 49


def test_two_withdrawals_at_the_same_moment_never_spend_one_balance_twice(cluster, client, admin, clock):
    cluster.start()
    tea = _product(client, admin, stock=10)
    order_id = _place(cluster, client, tea, 4, shop_id=FRIEND)                   # 1800 cents commission
    # The shop service (not running here) answers that FRIEND's shop features the product.
    cluster.bus.publish(make_event("shop.attribution.answered", {
        "order_id": order_id, "shop_id": FRIEND, "outcome": "attributed",
        "items": [{"product_id": tea, "featured": True}]}, "shop", occurred_at=clock.now()).to_dict())
    assert wait_for(lambda: _order_status(client, order_id) == "awaiting_payment", 15)
    client.post(f"/api/orders/{order_id}/pay", json={"method": "simulated"}, headers=bearer(BUYER))
    clock.advance(days=7)
    cluster.run_periodic()
    assert client.get("/api/commissions/me", headers=bearer(FRIEND)).json["available_cents"] == 1800

    start = threading.Barrier(8)
    answers = []

    def ask():
        own = Client(cluster.gateway, Response)
        start.wait()
        answers.append(own.post("/api/commissions/me/withdrawals", json={"amount_cents": 1000},
                                headers=bearer(FRIEND)).status_code)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201] + [409] * 7
    assert client.get("/api/commissions/me", headers=bearer(FRIEND)).json["available_cents"] == 800
