"""The shop's use cases on their own: a SQLite file, a fixed clock, fake owners and a fake
password hasher; no Flask, no bus. What each writes to the outbox is read back from it."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from shared.clock import FixedClock
from shared.db import Database
from shared.contract import DelistingReason
from shared.failures import Conflict, NotFound, Unauthorized, Unprocessable
from shared.principal import Principal

from services.shop import store
from services.shop.domain.featured import LOCK_PERIOD
from services.shop.domain.orders import OrderLine, ShopOrder
from services.shop.usecases import accounts, answers, friends, members, shops, slots


class PlainPasswords:
    """The hasher's interface without argon2's cost (services/shop/passwords.py)."""

    def hash(self, password: str) -> str:
        return "plain:" + password

    def verify(self, password_hash: str | None, password: str) -> bool:
        return password_hash == "plain:" + password

    def needs_rehash(self, password_hash: str) -> bool:
        return False


class FakeOwners:
    """The catalog as the owner of products and brands (shared.owners.Owners)."""

    def __init__(self, products: dict | None = None, brands: dict | None = None):
        self.products, self.brands, self.asked = products or {}, brands or {}, []

    def product(self, product_id: str) -> dict | None:
        self.asked.append(product_id)
        return self.products.get(product_id)

    def brand(self, brand_id: str) -> dict | None:
        self.asked.append(brand_id)
        return self.brands.get(brand_id)


class Config:
    jwt_secret = "test-secret-test-secret-test-secret"
    jwt_ttl_seconds = 3600


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def db(tmp_path, clock):
    db = Database(f"sqlite:///{tmp_path / 'shop.db'}", store.metadata, producer="shop", clock=clock)
    db.create_all()
    yield db
    db.dispose()


PASSWORDS = PlainPasswords()


def outbox(db: Database, event_type: str) -> list[dict]:
    with db.reading() as conn:
        rows = conn.execute(select(db.outbox.c.envelope).where(db.outbox.c.type == event_type)
                            .order_by(db.outbox.c.seq)).scalars()
        return [json.loads(r)["data"] for r in rows]


def member(db: Database, username: str) -> str:
    return accounts.register(db, PASSWORDS, {"username": username, "password": "correct horse",
                                             "nickname": username.title()}, roles=("member",)).member_id


def list_product(db: Database, product_id: str, name: str = "Oolong", revision: int = 1) -> None:
    with db.unit_of_work() as uow:
        answers.product_listed(uow, product_id, {"product_id": product_id, "name": name, "category": "tea",
                                                 "list_price_cents": 5000, "exclusive_price_cents": 4200},
                               revision)


# --- accounts -------------------------------------------------------------------------------
def test_registering_opens_a_member_and_tells_the_other_services(db):
    member_id = member(db, "alice")
    assert outbox(db, "shop.member.registered") == [{"member_id": member_id, "nickname": "Alice",
                                                     "avatar_url": None}]
    with pytest.raises(Conflict):
        member(db, "ALICE")
    assert len(outbox(db, "shop.member.registered")) == 1


def test_signing_in_checks_the_password(db, clock):
    member_id = member(db, "alice")
    assert accounts.sign_in(db, PASSWORDS, "Alice", "correct horse", clock.now()).member_id == member_id
    with pytest.raises(Unauthorized):
        accounts.sign_in(db, PASSWORDS, "alice", "wrong horse", clock.now())


def test_a_merchant_brand_the_shop_has_not_heard_of_is_asked_of_the_catalog(db):
    owners = FakeOwners(brands={"b1": {"id": "b1", "name": "Tea House"}})
    body = {"username": "teahouse", "password": "correct horse", "nickname": "Tea House", "brand_id": "b1"}
    account = accounts.register_merchant(db, PASSWORDS, owners, body)
    assert account.brand_id == "b1" and "merchant" in account.roles and owners.asked == ["b1"]
    with pytest.raises(Unprocessable):
        accounts.register_merchant(db, PASSWORDS, owners, {**body, "username": "other", "brand_id": "b2"})


def test_logging_out_and_changing_the_password_revoke_tokens(db, clock):
    member_id = member(db, "alice")
    accounts.log_out(db, Principal(member_id=member_id, roles=("member",), token_id="t1", expires_at=2_000_000_000))
    accounts.change_password(db, PASSWORDS, Config, member_id, "correct horse", "new horse battery", clock.now())
    logout, change = outbox(db, "shop.tokens.revoked")
    assert logout == {"member_id": member_id, "token_id": "t1", "not_before_us": None, "expires_at": 2_000_000_000}
    assert change["token_id"] is None and change["not_before_us"] > 0
    assert accounts.standing(db, member_id).not_before_us == change["not_before_us"]
    assert accounts.sign_in(db, PASSWORDS, "alice", "new horse battery", clock.now()).member_id == member_id


# --- shops ----------------------------------------------------------------------------------
def test_featuring_and_unfeaturing_after_the_lock(db, clock):
    owner = member(db, "alice")
    list_product(db, "p1")
    card, entry = shops.feature(db, FakeOwners(), owner, "p1")
    assert card.name == "Oolong" and entry.locked_until == clock.now() + LOCK_PERIOD
    with pytest.raises(Conflict):
        shops.unfeature(db, owner, "p1")              # locked: nothing leaves, nothing is told
    clock.advance(hours=72)
    shops.unfeature(db, owner, "p1")
    assert outbox(db, "shop.featured.added") == [{"member_id": owner, "product_id": "p1"}]
    assert outbox(db, "shop.featured.removed") == [{"member_id": owner, "product_id": "p1", "reason": "removed"}]
    assert shops.shop_page(db, owner).featured == []


def test_a_product_the_shop_has_no_card_for_is_asked_of_the_catalog(db):
    owner = member(db, "alice")
    owners = FakeOwners(products={"p9": {"id": "p9", "name": "Pu'er", "status": "listed", "revision": 3}})
    card, _ = shops.feature(db, owners, owner, "p9")
    assert card.name == "Pu'er" and owners.asked == ["p9"]
    with pytest.raises(NotFound):
        shops.feature(db, owners, owner, "nowhere")


def test_a_visit_counts_for_others_only(db):
    owner, visitor = member(db, "alice"), member(db, "bob")
    assert shops.visit(db, FakeOwners(), owner, member_id=owner, visitor_key=None, product_id=None) is None
    counted = shops.visit(db, FakeOwners(), owner, member_id=visitor, visitor_key=None, product_id=None)
    assert outbox(db, "shop.visited") == [{"visit_id": counted.id, "shop_id": owner, "visitor": visitor,
                                           "product_id": None}]
    with pytest.raises(NotFound):
        shops.visit(db, FakeOwners(), "nobody", member_id=visitor, visitor_key=None, product_id=None)


# --- members and friends ----------------------------------------------------------------------
def test_an_edit_that_changes_nothing_tells_nothing(db):
    member_id = member(db, "alice")
    members.edit_profile(db, member_id, {"nickname": "Alice"})
    assert outbox(db, "shop.member.updated") == []
    found = members.edit_profile(db, member_id, {"nickname": "  Ali  ", "bio": "tea"})
    assert found.profile.nickname == "Ali" and found.account.username == "alice"
    assert outbox(db, "shop.member.updated") == [{"member_id": member_id, "nickname": "Ali", "avatar_url": None}]


def test_a_privacy_change_sends_the_whole_new_set(db):
    member_id = member(db, "alice")
    members.change_privacy(db, member_id, {"stats_visible_to": "everyone"})
    members.change_privacy(db, member_id, {"stats_visible_to": "everyone"})
    assert outbox(db, "shop.privacy.changed") == [{
        "member_id": member_id, "purchases_visible_to": "nobody", "stats_visible_to": "everyone",
        "show_in_leaderboards": True, "show_me_as_visitor": True}]
    with pytest.raises(Unprocessable):
        members.change_privacy(db, member_id, {"purchases_visible_to": "everyone"})


def test_a_friendship_is_asked_accepted_and_ended(db):
    alice, bob = member(db, "alice"), member(db, "bob")
    request = friends.ask(db, alice, bob)
    with pytest.raises(Conflict):
        friends.ask(db, bob, alice)
    friends.accept(db, bob, request.id)
    friends.unfriend(db, alice, bob)
    pair = sorted([alice, bob])
    assert outbox(db, "shop.friendship.created") == [{"member_ids": pair}]
    assert outbox(db, "shop.friendship.removed") == [{"member_ids": pair}]
    with pytest.raises(NotFound):
        friends.unfriend(db, alice, bob)


# --- what other services' events ask ------------------------------------------------------------
def test_a_delisting_leaves_every_featuring_shop_in_one_outbox_statement(db, clock):
    owners = [member(db, f"owner{i}") for i in range(3)]
    list_product(db, "p1", name="Oolong")
    for owner in owners[:2]:
        shops.feature(db, FakeOwners(), owner, "p1")
    inserts: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "INSERT INTO outbox" in statement:
            inserts.append(statement)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.unit_of_work() as uow:
            answers.product_delisted(uow, "p1", DelistingReason.BRAND, "quality recall", revision=2, delisted_at=clock.now())
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(inserts) == 1
    assert outbox(db, "shop.featured.removed") == [
        {"member_id": owner, "product_id": "p1", "reason": "delisted"} for owner in sorted(owners[:2])]
    items, total = members.notifications(db, owners[0], 1, 10)
    assert total == 1 and "Oolong" in items[0]["message"] and "quality recall" in items[0]["message"]


def test_the_attribution_answer(db):
    owner = member(db, "alice")
    list_product(db, "p1")
    shops.feature(db, FakeOwners(), owner, "p1")
    with db.unit_of_work() as uow:
        answers.attribute_order(uow, "o1", owner, ["p1", "p2"])
        answers.attribute_order(uow, "o2", "no-such-shop", ["p1"])
        answers.attribute_order(uow, "o3", None, ["p1"])       # bought outside any shop: no answer
    assert outbox(db, "shop.attribution.answered") == [
        {"order_id": "o1", "shop_id": owner, "outcome": "attributed",
         "items": [{"product_id": "p1", "featured": True}, {"product_id": "p2", "featured": False}]},
        {"order_id": "o2", "shop_id": "no-such-shop", "outcome": "unknown_shop",
         "items": [{"product_id": "p1", "featured": False}]}]


def test_a_refund_before_its_payment_counts_no_purchase(db):
    buyer = member(db, "bob")
    list_product(db, "p1")
    order = ShopOrder(order_id="o1", buyer_id=buyer, shop_id=None, lines=(OrderLine("p1", 1, 4200),))
    with db.unit_of_work() as uow:
        answers.order_settled(uow, order, paid=False)
    with db.unit_of_work() as uow:
        answers.order_settled(uow, order, paid=True)
    assert members.purchases(db, buyer, buyer, 1, 10) == ([], 0)


def test_a_tier_drop_releases_the_newest_products_as_their_locks_end(db, clock):
    owner = member(db, "alice")
    start = clock.now()
    with db.unit_of_work() as uow:
        slots.follow_influence(uow, owner, score=1200, tier=2, slots=6, occurred_at=start)
    for i in range(6):
        list_product(db, f"p{i}")
        shops.feature(db, FakeOwners(), owner, f"p{i}")
        clock.advance(hours=1)
    with db.unit_of_work() as uow:
        slots.follow_influence(uow, owner, score=10, tier=1, slots=4, occurred_at=clock.now())
    assert outbox(db, "shop.featured.removed") == []        # locked: they wait
    clock.set(start + LOCK_PERIOD + timedelta(hours=5, minutes=1))
    assert slots.release_due(db, clock.now()) == 1
    assert outbox(db, "shop.featured.removed") == [
        {"member_id": owner, "product_id": p, "reason": "slots_reduced"} for p in ("p5", "p4")]
    assert len(shops.shop_page(db, owner).featured) == 4
