"""A delisting costs in proportion to the shops that feature the product, not to all shops:
one indexed, set-based DELETE finds them, and a price update touches one card row."""
import json
import re
from contextlib import contextmanager

from sqlalchemy import delete, event, select

from services.shop.domain.accounts import Account
from services.shop.domain.featured import FeaturedProduct
from services.shop.domain.profile import Profile
from services.shop.store import accounts as account_store
from services.shop.store import members, shops
from services.shop.store.tables import featured
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing (argon2id at its lowest cost)

SERVICES = ("catalog", "shop")
SHOPS = 1500


def open_shops(platform, count: int) -> list[str]:
    """Many members at once, straight into the store: the API would spend the test's time hashing."""
    db, now = platform["shop"].db, platform.clock.now()
    ids = [f"m{i:05d}" for i in range(count)]
    with db.unit_of_work() as uow:
        for member_id in ids:
            account_store.insert_account(uow.conn, Account(member_id, member_id), "$argon2id$not-used", now)
            members.insert_member(uow.conn, Profile(member_id, member_id), now)
    return ids


def feature_in(platform, member_ids, product_id) -> None:
    with platform["shop"].db.unit_of_work() as uow:
        for member_id in member_ids:
            shops.add_featured(uow.conn, member_id, FeaturedProduct(product_id, uow.now()))


@contextmanager
def statements(platform):
    """Every SQL statement the shop service runs meanwhile."""
    seen: list[str] = []
    engine = platform["shop"].db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def touching_featured(seen: list[str]) -> list[str]:
    return [s for s in seen if re.search(r"\b(FROM|INTO|UPDATE|JOIN)\s+featured\b", s)]


def test_the_delisting_work_grows_with_the_featuring_shops_not_with_all_shops(world, client, admin, platform):
    ids = open_shops(platform, SHOPS)
    few, many = world.product("Few"), world.product("Many")
    feature_in(platform, ids[:3], few)
    feature_in(platform, ids[100:130], many)

    with statements(platform) as for_few:
        world.delist(few)
    with statements(platform) as for_many:
        world.delist(many)

    # Each featuring shop gets its own outbox row (shop.featured.removed), all written by one
    # executemany: not even the statement count grows with the shops.
    assert len(for_many) == len(for_few)
    removed = []
    with platform["shop"].db.reading() as conn:
        for (envelope,) in conn.execute(select(platform["shop"].db.outbox.c.envelope)
                                        .where(platform["shop"].db.outbox.c.type == "shop.featured.removed")):
            removed.append(json.loads(envelope)["data"])
    assert sorted(d["member_id"] for d in removed if d["product_id"] == many) == ids[100:130]
    assert sorted(d["member_id"] for d in removed if d["product_id"] == few) == ids[:3]
    assert {d["reason"] for d in removed} == {"delisted"}
    assert len(for_few) < 25  # against 1500 shops
    # The only statement on the featured table is one DELETE by product id, whatever the count.
    assert [s.split()[0] for s in touching_featured(for_many)] == ["DELETE"]
    assert "WHERE featured.product_id = ?" in touching_featured(for_many)[0]
    with platform["shop"].db.reading() as conn:
        assert conn.execute(featured.select()).all() == []


def test_the_delete_finds_the_shops_through_the_product_index(world, platform):
    open_shops(platform, 10)
    with platform["shop"].db.reading() as conn:
        statement = delete(featured).where(featured.c.product_id == "p1")
        sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "USING INDEX ix_featured_product" in plan or "USING COVERING INDEX ix_featured_product" in plan, plan


def test_a_price_update_costs_the_same_for_3_or_300_featuring_shops(world, client, admin, platform):
    ids = open_shops(platform, 400)
    few, many = world.product("Few"), world.product("Many")
    feature_in(platform, ids[:3], few)
    feature_in(platform, ids[:300], many)
    counts = []
    for product in (few, many):
        with statements(platform) as seen:
            client.patch(f"/api/catalog/products/{product}", json={"exclusive_price_cents": 3900}, headers=admin)
            world.settle()
        counts.append(len(seen))
    assert counts[0] == counts[1]
    for member_id in (ids[0], ids[299]):
        prices = {f["product_id"]: f["exclusive_price_cents"]
                  for f in client.get(f"/api/shops/{member_id}").json["featured"]}
        assert prices[many] == 3900
