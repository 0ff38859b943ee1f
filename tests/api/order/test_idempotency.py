"""Idempotency-Key: the same key from the same buyer returns the same order and reserves
stock once, even for requests at the same moment."""
import threading

from werkzeug.test import Client
from flask import Response

from tests.conftest import bearer

from .conftest import BUYER, FRIEND

SERVICES = ("catalog", "order")


def test_a_retry_with_the_same_key_returns_the_same_order_and_reserves_once(market):
    tea = market.product(stock=5)
    items = [{"product_id": tea, "quantity": 2}]
    first = market.order(items=items, key="checkout-1", settle=False)
    market.settle()
    again = market.order(items=items, key="checkout-1", settle=False)
    # The first waited for nothing (202 pending); the replay finds the order settled (201).
    assert (first.status_code, again.status_code) == (202, 201)
    assert again.json["id"] == first.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert again.json["status"] == "awaiting_payment"        # the order as it is now
    assert market.stock(tea) == 3
    assert len(market.sent("order.placed")) == 1


def test_another_buyer_with_the_same_key_gets_their_own_order(market):
    tea = market.product(stock=5)
    items = [{"product_id": tea, "quantity": 1}]
    mine, theirs = market.order(items=items, key="k"), market.order(buyer=FRIEND, items=items, key="k")
    assert mine.json["id"] != theirs.json["id"]
    assert market.stock(tea) == 3


def test_the_same_key_for_a_different_order_is_a_conflict(market):
    tea = market.product(stock=5)
    first = market.order(items=[{"product_id": tea, "quantity": 1}], key="k").json
    response = market.order(items=[{"product_id": tea, "quantity": 2}], key="k")
    assert response.status_code == 409 and response.json["order_id"] == first["id"]
    assert market.stock(tea) == 4


def test_without_a_key_every_request_is_a_new_order(market):
    tea = market.product(stock=5)
    ids = {market.order(items=[{"product_id": tea, "quantity": 1}]).json["id"] for _ in range(2)}
    assert len(ids) == 2 and market.stock(tea) == 3


def test_the_same_key_at_the_same_moment_from_many_threads_makes_one_order(market, platform):
    tea = market.product(stock=50)
    start = threading.Barrier(8)
    answers = []

    def send():
        client = Client(platform.gateway, Response)
        start.wait()
        answers.append(client.post("/api/orders", json={"items": [{"product_id": tea, "quantity": 1}]},
                                   headers={**bearer(BUYER), "Idempotency-Key": "double-click"}))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    market.settle()
    assert {a.status_code for a in answers} == {202}
    assert len({a.json["id"] for a in answers}) == 1
    assert market.stock(tea) == 49
    assert len(market.sent("order.placed")) == 1
