"""The commission ledger and withdrawals through the API, with the settlement job driven by
a fixed clock."""
import threading
from datetime import timedelta

import pytest
from flask import Response
from werkzeug.test import Client

from tests.conftest import bearer

from .conftest import BUYER, FRIEND

SERVICES = ("catalog", "order")


def _statement(market, who=FRIEND):
    return market.client.get("/api/commissions/me", headers=bearer(who)).json


def _sums(statement):
    return (statement["pending_cents"], statement["settled_cents"], statement["reversed_cents"],
            statement["available_cents"])


def _paid_through_friend(market, quantity=2, **product):
    """A paid order of tea through FRIEND's shop: 4500 x quantity x 10% commission."""
    tea = market.product(**product)
    market.feature(FRIEND, tea)
    order = market.order(items=[{"product_id": tea, "quantity": quantity}], shop_id=FRIEND).json
    assert market.act(order["id"], "pay").status_code == 200
    return order


def test_a_paid_order_through_a_friends_shop_earns_a_pending_commission(market):
    order = _paid_through_friend(market)
    statement = _statement(market)
    assert _sums(statement) == (900, 0, 0, 0)
    [entry] = statement["items"]
    assert (entry["order_id"], entry["kind"], entry["amount_cents"], entry["status"]) == (
        order["id"], "commission", 900, "pending")
    assert _sums(_statement(market, BUYER)) == (0, 0, 0, 0)


def test_an_unpaid_order_earns_nothing_yet(market):
    tea = market.product()
    market.feature(FRIEND, tea)
    market.order(items=[{"product_id": tea, "quantity": 2}], shop_id=FRIEND)
    assert _statement(market)["items"] == []


def test_it_settles_seven_days_after_payment_and_says_so_on_the_bus(market, platform, clock):
    order = _paid_through_friend(market)
    clock.advance(days=7, seconds=-1)
    platform.run_periodic()
    assert _sums(_statement(market)) == (900, 0, 0, 0)
    clock.advance(seconds=1)
    platform.run_periodic()
    market.settle()
    assert _sums(_statement(market)) == (0, 900, 0, 900)
    assert market.sent("order.commission.settled") == [
        {"order_id": order["id"], "shop_id": FRIEND, "commission_cents": 900}]
    platform.run_periodic()
    assert len(market.sent("order.commission.settled")) == 1


def test_a_refund_before_settlement_reverses_it(market, platform, clock):
    order = _paid_through_friend(market)
    clock.advance(days=3)
    market.act(order["id"], "refund")
    clock.advance(days=5)
    platform.run_periodic()
    assert _sums(_statement(market)) == (0, 0, 900, 0)
    assert _statement(market)["items"][0]["status"] == "reversed"
    assert market.sent("order.commission.settled") == []


def test_a_refund_after_settlement_books_a_negative_entry_and_available_never_goes_below_zero(market, platform,
                                                                                             clock):
    # The refund window closes the instant the commission settles, so a refund only meets a
    # settled commission when the job runs on a clock slightly ahead: a worker on another
    # machine, two seconds fast, settles while the buyer's refund is still in time.
    from services.order.usecases import settle_commissions
    order = _paid_through_friend(market)
    clock.advance(days=7, seconds=-1)
    assert settle_commissions(platform["order"].db, clock.now() + timedelta(seconds=2)) == 1
    withdrawal = market.client.post("/api/commissions/me/withdrawals", json={"amount_cents": 900},
                                    headers=bearer(FRIEND))
    assert withdrawal.status_code == 201
    assert market.act(order["id"], "refund").json["status"] == "refunded"
    statement = _statement(market)
    assert _sums(statement) == (0, 0, 900, 0)
    assert sorted((e["kind"], e["amount_cents"], e["status"]) for e in statement["items"]) == [
        ("clawback", -900, "settled"), ("commission", 900, "settled")]
    approve = market.client.post(f"/api/commissions/withdrawals/{withdrawal.json['id']}/approve",
                                 headers=market.admin)
    assert approve.status_code == 409 and approve.json["withdrawal_status"] == "requested"
    assert platform["order"].context.payouts.paid_cents == 0


def _settled(market, platform, clock, quantity=2):
    """FRIEND with 450 x quantity cents of settled commission."""
    _paid_through_friend(market, quantity=quantity)
    clock.advance(days=7)
    platform.run_periodic()
    return _statement(market)["available_cents"]


def _withdraw(market, amount, who=FRIEND):
    return market.client.post("/api/commissions/me/withdrawals", json={"amount_cents": amount},
                              headers=bearer(who))


def test_a_withdrawal_approved_by_an_admin_is_paid_once_under_its_transfer_id(market, platform, clock):
    assert _settled(market, platform, clock) == 900
    asked = _withdraw(market, 600)
    assert asked.status_code == 201
    assert (asked.json["status"], asked.json["amount_cents"]) == ("requested", 600)
    statement = _statement(market)
    assert (statement["available_cents"], statement["requested_cents"], statement["withdrawn_cents"]) == (300, 600, 0)
    queue = market.client.get("/api/commissions/withdrawals?status=requested", headers=market.admin).json
    assert [w["id"] for w in queue["items"]] == [asked.json["id"]]
    paid = market.client.post(f"/api/commissions/withdrawals/{asked.json['id']}/approve", headers=market.admin)
    assert paid.status_code == 200
    assert (paid.json["status"], paid.json["decided_by"], paid.json["transfer_id"]) == (
        "paid", "admin-1", f"transfer-{asked.json['id']}")
    payouts = platform["order"].context.payouts
    assert payouts.transfers == {paid.json["transfer_id"]: 600}
    again = market.client.post(f"/api/commissions/withdrawals/{asked.json['id']}/approve", headers=market.admin)
    assert again.status_code == 409 and payouts.paid_cents == 600
    mine = market.client.get("/api/commissions/me/withdrawals", headers=bearer(FRIEND)).json
    assert (mine["page"], mine["per_page"], mine["total"]) == (1, 20, 1)          # a page, like every list
    assert [(w["status"], w["payout_reference"]) for w in mine["items"]] == [("paid", paid.json["payout_reference"])]
    statement = _statement(market)
    assert (statement["available_cents"], statement["requested_cents"], statement["withdrawn_cents"]) == (300, 0, 600)


def test_a_failed_payout_stays_approved_and_the_job_pays_it_once(market, platform, clock):
    _settled(market, platform, clock)
    payouts = platform["order"].context.payouts
    payouts.fail_next = 1
    asked = _withdraw(market, 900).json
    approved = market.client.post(f"/api/commissions/withdrawals/{asked['id']}/approve", headers=market.admin)
    assert approved.json["status"] == "approved" and payouts.transfers == {}
    platform.run_periodic()
    platform.run_periodic()
    assert payouts.transfers == {f"transfer-{asked['id']}": 900}
    assert market.client.get("/api/commissions/me/withdrawals", headers=bearer(FRIEND)).json["items"][0]["status"] == "paid"


def test_a_rejected_withdrawal_gives_its_amount_back(market, platform, clock):
    _settled(market, platform, clock)
    asked = _withdraw(market, 900).json
    assert _withdraw(market, 100).status_code == 409
    rejected = market.client.post(f"/api/commissions/withdrawals/{asked['id']}/reject",
                                  json={"reason": "bank account unverified"}, headers=market.admin)
    assert (rejected.json["status"], rejected.json["rejection_reason"]) == ("rejected", "bank account unverified")
    assert _statement(market)["available_cents"] == 900
    assert market.client.post(f"/api/commissions/withdrawals/{asked['id']}/approve",
                              headers=market.admin).status_code == 409
    assert platform["order"].context.payouts.transfers == {}


@pytest.mark.parametrize("amount,status", [(99, 422), (901, 409), (0, 422), ("100", 422)])
def test_withdrawals_below_100_or_above_the_balance_are_refused(market, platform, clock, amount, status):
    _settled(market, platform, clock)
    response = _withdraw(market, amount)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    if status == 409:
        assert response.json["available_cents"] == 900
    assert market.client.get("/api/commissions/me/withdrawals", headers=bearer(FRIEND)).json["items"] == []


def test_pending_commission_cannot_be_withdrawn(market):
    _paid_through_friend(market)
    response = _withdraw(market, 100)
    assert response.status_code == 409 and response.json["available_cents"] == 0


def test_someone_who_never_earned_anything_has_nothing_to_withdraw(market):
    response = _withdraw(market, 100, who="m-stranger")
    assert response.status_code == 409 and response.json["available_cents"] == 0


def test_only_an_admin_decides_withdrawals(market, platform, clock):
    _settled(market, platform, clock)
    asked = _withdraw(market, 500).json
    for path in (f"/api/commissions/withdrawals/{asked['id']}/approve",
                 f"/api/commissions/withdrawals/{asked['id']}/reject"):
        response = market.client.post(path, headers=bearer(FRIEND))
        assert response.status_code == 403
    assert market.client.get("/api/commissions/withdrawals", headers=bearer(FRIEND)).status_code == 403
    assert market.client.post("/api/commissions/withdrawals/nope/approve", headers=market.admin).status_code == 404
    assert platform["order"].context.payouts.transfers == {}


def test_two_withdrawals_at_the_same_moment_never_spend_the_balance_twice(market, platform, clock):
    assert _settled(market, platform, clock, quantity=4) == 1800
    start = threading.Barrier(6)
    answers = []

    def ask():
        client = Client(platform.gateway, Response)
        start.wait()
        answers.append(client.post("/api/commissions/me/withdrawals", json={"amount_cents": 1000},
                                   headers=bearer(FRIEND)))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409, 409]
    assert _statement(market)["available_cents"] == 800
