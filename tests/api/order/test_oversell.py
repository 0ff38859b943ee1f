"""Concurrent orders never oversell (in-memory bus, SQLite, real worker threads)."""
from tests.support.oversell import ORDERS_PER_THREAD, THREADS, fire_orders_at

SERVICES = ("catalog", "order")


def test_many_orders_from_many_threads_never_take_more_than_the_stock(platform, admin):
    outcome = fire_orders_at(platform, admin, start_stock=13)
    orders = outcome["orders"]
    assert len(orders) == THREADS * ORDERS_PER_THREAD
    assert outcome["reserved"] + outcome["remaining"] == 13
    assert outcome["remaining"] >= 0 and outcome["reserved"] > 0
    assert {o["status"] for o in orders} == {"awaiting_payment", "rejected"}
    assert {o["rejection_reason"] for o in orders if o["status"] == "rejected"} == {"out_of_stock"}
    # Leftover stock is less than the smallest order that was refused for want of it.
    assert outcome["remaining"] < min(o["items"][0]["quantity"] for o in orders if o["status"] == "rejected")
