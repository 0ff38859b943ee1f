"""The stock saga end to end on the in-memory bus, with the real catalog: rejections for
each reason, and duplicated or reordered events leaving the order and the stock right."""
from shared.events import make_event
from shared.outbox import history

from .conftest import BUYER

SERVICES = ("catalog", "order")


def test_too_little_stock_rejects_the_order_and_takes_nothing(market):
    tea = market.product(stock=1)
    order = market.order(items=[{"product_id": tea, "quantity": 2}]).json
    answer = market.get(order["id"]).json
    assert (answer["status"], answer["rejection_reason"]) == ("rejected", "out_of_stock")
    assert market.stock(tea) == 1


def test_all_items_or_none(market):
    tea, cup = market.product(stock=5, name="Tea"), market.product(stock=1, name="Cup")
    order = market.order(items=[{"product_id": tea, "quantity": 2}, {"product_id": cup, "quantity": 2}]).json
    assert market.get(order["id"]).json["status"] == "rejected"
    assert (market.stock(tea), market.stock(cup)) == (5, 1)


def test_a_delisting_the_order_service_has_not_heard_of_yet_is_caught_by_the_catalog(market, client, admin):
    tea = market.product(stock=5)
    client.post(f"/api/catalog/products/{tea}/delist", json={"reason": "recalled"}, headers=admin)
    order = market.order(items=[{"product_id": tea, "quantity": 1}], settle=False).json
    assert order["status"] == "pending"                        # priced from a card still listed
    market.settle()
    answer = market.get(order["id"]).json
    assert (answer["status"], answer["rejection_reason"]) == ("rejected", "delisted")
    assert market.stock(tea) == 5


def test_a_delisted_product_is_rejected_by_the_catalog_and_a_relisted_one_sold_again(market, client, admin):
    tea = market.product(stock=5)
    client.post(f"/api/catalog/products/{tea}/delist", json={}, headers=admin)
    market.settle()
    order = market.order(items=[{"product_id": tea, "quantity": 1}]).json
    assert (order["status"], order["rejection_reason"]) == ("rejected", "delisted")
    client.post(f"/api/catalog/products/{tea}/relist", headers=admin)
    market.settle()
    assert market.order(items=[{"product_id": tea, "quantity": 1}]).json["status"] == "awaiting_payment"
    assert market.stock(tea) == 4


def test_a_product_the_catalog_does_not_know_is_rejected_by_it(market):
    market.publish("catalog.product.listed", {
        "product_id": "ghost", "brand_id": "b", "name": "Ghost", "category": "tea", "list_price_cents": 100,
        "exclusive_price_cents": 90, "commission_rate_bp": 0, "sensitive": False, "lowest_price_30d_cents": 90,
        "revision": 1}, producer="catalog")
    order = market.order(items=[{"product_id": "ghost", "quantity": 1}]).json
    answer = market.get(order["id"]).json
    assert (answer["status"], answer["rejection_reason"]) == ("rejected", "unknown_product")


def test_a_stale_product_card_does_not_overwrite_a_newer_one(market, client, admin):
    tea = market.product()
    listed = [i["event"] for i in history(market.platform["catalog"].db, types=["catalog.product.listed"])][-1]
    client.patch(f"/api/catalog/products/{tea}", json={"list_price_cents": 7000}, headers=admin)
    market.settle()
    market.publish("catalog.product.listed", listed["data"], producer="catalog")     # the old card, late
    assert market.order(items=[{"product_id": tea, "quantity": 1}]).json["total_cents"] == 7000


def _reserved_for(market, order_id):
    return [i["event"] for i in history(market.platform["catalog"].db, types=["catalog.stock.reserved"])
            if i["event"]["data"]["order_id"] == order_id]


def test_a_redelivered_reservation_changes_nothing(market):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 2}]).json
    market.act(order["id"], "cancel")
    [reserved] = _reserved_for(market, order["id"])
    market.platform.bus.publish(reserved)                      # the same envelope, same id
    market.settle()
    assert market.get(order["id"]).json["status"] == "cancelled"
    assert market.stock(tea) == 5
    assert len(market.sent("order.cancelled")) == 1


def test_a_rejection_after_the_reservation_changes_nothing(market):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 2}]).json
    market.publish("catalog.stock.rejected", {"order_id": order["id"], "reason": "out_of_stock",
                                              "items": [{"product_id": tea, "quantity": 2}]}, producer="catalog")
    assert market.get(order["id"]).json["status"] == "awaiting_payment"
    assert market.act(order["id"], "pay").json["status"] == "paid"
    assert market.stock(tea) == 3


def test_a_reservation_arriving_after_the_unanswered_order_expired_gives_the_stock_back(market, platform, clock):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 3}], settle=False).json
    platform["order"].relay.flush()                             # order.placed is on its way...
    clock.advance(minutes=30)
    platform["order"].run_periodic_once()                       # ...the order gives up waiting...
    assert market.get(order["id"]).json["status"] == "cancelled"
    platform["catalog"].consumer.pump()                         # ...the catalog reserves anyway
    assert market.stock(tea) == 2
    market.settle()                                             # then hears the cancellation
    assert market.get(order["id"]).json["status"] == "cancelled"
    assert market.stock(tea) == 5


def test_a_second_reservation_for_a_cancelled_order_asks_for_a_release_the_catalog_does_once(market):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 2}], settle=False).json
    market.order(items=[{"product_id": tea, "quantity": 1}])    # another order keeps 1 reserved
    market.act(order["id"], "cancel")
    assert market.stock(tea) == 4
    # The catalog answers again under a new event id (a redelivered order.placed, say).
    market.publish("catalog.stock.reserved", {"order_id": order["id"], "items": [_reserved_line(tea, 2)]},
                   producer="catalog")
    assert market.get(order["id"]).json["status"] == "cancelled"
    assert market.stock(tea) == 4


def test_an_answer_for_an_order_nobody_placed_is_ignored(market, platform):
    event = make_event("catalog.stock.reserved", {"order_id": "not-ours", "items": [_reserved_line("p", 1)]},
                       "catalog")
    platform.bus.publish(event.to_dict())
    market.settle()
    assert platform["order"].consumer.dead_lettered == 0
    assert history(platform["order"].db) == []


def test_the_paid_event_carries_the_whole_order(market, clock):
    tea = market.product(stock=5)
    order = market.order(items=[{"product_id": tea, "quantity": 2}], shop_id="m-friend").json
    market.act(order["id"], "pay")
    [paid] = market.sent("order.paid")
    assert paid == {"order_id": order["id"], "buyer_id": BUYER, "shop_id": "m-friend", "total_cents": 10_000,
                    "commission_cents": 0, "items": [{"product_id": tea, "quantity": 2, "unit_price_cents": 5000,
                                                      "commission_cents": 0}]}


def _reserved_line(product_id, quantity, list_price=5000, exclusive=4500, rate=1000, revision=1):
    return {"product_id": product_id, "quantity": quantity, "list_price_cents": list_price,
            "exclusive_price_cents": exclusive, "commission_rate_bp": rate, "revision": revision}
