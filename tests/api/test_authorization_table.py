"""Walk docs/authorization.md: every operation, as every kind of caller, against the
running platform (all four services behind the in-process gateway, real accounts).

The table is parsed from the document, so the document cannot drift from the server: a
row this test cannot walk (no body or subject for it here) fails too.
"""
import itertools
import re
from pathlib import Path

import pytest

from tests.conftest import make_config
from tests.support.shop_world import SHOP_ADAPTERS

ADAPTERS = SHOP_ADAPTERS   # fast password hashing

DOC = Path(__file__).resolve().parents[2] / "docs" / "authorization.md"
ROLES = ("anonymous", "member", "other member", "merchant of the brand", "merchant of another brand", "admin")
PASSWORD = "a-long-password"
_unique = itertools.count(1)


def parse_table(text: str) -> list[tuple[str, str, dict[str, int]]]:
    block = text.split("<!-- authorization-table")[1].split("<!-- end of authorization-table")[0]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    header = next(line for line in block.splitlines() if line.startswith("| operation"))
    assert [c.strip() for c in header.strip("|").split("|")][1:] == list(ROLES)
    table = []
    for line in rows:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        method, path = cells[0].strip("`").split(" ", 1)
        table.append((method, path, dict(zip(ROLES, (int(c) for c in cells[1:])))))
    return table


TABLE = parse_table(DOC.read_text())


@pytest.fixture
def config(tmp_path):
    return make_config(tmp_path / "data", admin_username="root", admin_password="root-password-1")


class World:
    """The accounts of the table's callers, two brands and a product of the first."""

    def __init__(self, platform, client):
        self.platform, self.client = platform, client
        self.logins = {"admin": ("root", "root-password-1")}
        self.tokens = {"admin": self.login("root", "root-password-1")}
        self.ids = {}
        for role, username in (("member", "mei"), ("other member", "oscar")):
            body = self.ok(client.post("/api/auth/register", json={
                "username": username, "password": PASSWORD, "nickname": username.title()}), 201)
            self.tokens[role], self.ids[role] = body["token"], body["member_id"]
            self.logins[role] = (username, PASSWORD)
        self.brand = self.ok(self.as_admin("post", "/api/catalog/brands", json={"name": "Brand A"}), 201)["id"]
        other_brand = self.ok(self.as_admin("post", "/api/catalog/brands", json={"name": "Brand B"}), 201)["id"]
        for role, username, brand in (("merchant of the brand", "merch-a", self.brand),
                                      ("merchant of another brand", "merch-b", other_brand)):
            self.platform.settle()  # the shop learns the brand before it opens its merchant
            self.ok(self.as_admin("post", "/api/auth/merchants", json={
                "username": username, "password": PASSWORD, "nickname": username, "brand_id": brand}), 201)
            self.tokens[role] = self.login(username, PASSWORD)
            self.logins[role] = (username, PASSWORD)
        self.product = self.new_product()
        self.request_id = None

    @staticmethod
    def ok(response, status):
        assert response.status_code == status, (response.status_code, response.json)
        return response.json

    def login(self, username, password):
        return self.ok(self.client.post("/api/auth/login", json={"username": username, "password": password}),
                       200)["token"]

    def headers(self, role):
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role != "anonymous" else {}

    def as_admin(self, method, path, **kwargs):
        return getattr(self.client, method)(path, headers=self.headers("admin"), **kwargs)

    def call(self, role, method, path, **kwargs):
        return getattr(self.client, method)(path, headers=self.headers(role), **kwargs)

    # --- the subjects of the table's paths --------------------------------------------
    def new_product(self):
        product = self.ok(self.as_admin("post", "/api/catalog/products", json=product_body(self.brand)), 201)["id"]
        self.platform.settle()  # the shop and the order service learn it
        return product

    def delisted_product(self):
        product = self.new_product()
        self.ok(self.as_admin("post", f"/api/catalog/products/{product}/delist", json={}), 200)
        return product

    def order(self):
        placed = self.ok(self.call("member", "post", "/api/orders", json={
            "items": [{"product_id": self.product, "quantity": 1}]}), 202)
        self.platform.settle()  # the catalog reserves it: awaiting payment
        return placed["id"]

    def paid_order(self):
        order = self.order()
        self.ok(self.call("member", "post", f"/api/orders/{order}/pay", json={"method": "simulated"}), 200)
        self.platform.settle()
        return order

    def request(self):
        """A pending request from the other member to the member (one per row)."""
        if self.request_id is None:
            asked = self.call("other member", "post", "/api/members/me/friend-requests",
                              json={"member_id": self.ids["member"]})
            assert asked.status_code in (201, 409), asked.json
            self.request_id = asked.json["id"] if asked.status_code == 201 else asked.json["request_id"]
        return self.request_id


def product_body(brand):
    return {"brand_id": brand, "sku": f"sku-{next(_unique)}", "name": "Tea", "category": "tea",
            "list_price_cents": 1000, "exclusive_price_cents": 900, "commission_rate_bp": 500, "stock": 1000}


SUBJECTS = {
    "product": World.new_product,
    "delisted_product": World.delisted_product,
    "member": lambda world: world.ids["member"],
    "order": World.order,
    "paid_order": World.paid_order,
    "request": World.request,
}

BODIES = {
    ("POST", "/api/catalog/brands"): lambda w: {"name": f"Brand {next(_unique)}"},
    ("POST", "/api/catalog/products"): lambda w: product_body(w.brand),
    ("PATCH", "/api/catalog/products/{product}"): lambda w: {"name": "Renamed tea"},
    ("POST", "/api/catalog/products/{product}/delist"): lambda w: {"reason": "out of season"},
    ("POST", "/api/auth/merchants"): lambda w: {"username": f"merchant-{next(_unique)}", "password": PASSWORD,
                                                "nickname": "M", "brand_id": w.brand},
    ("PATCH", "/api/members/me"): lambda w: {"bio": "tea lover"},
    ("PUT", "/api/members/me/privacy"): lambda w: {"show_in_leaderboards": True},
    ("POST", "/api/members/me/friend-requests"): lambda w: {"member_id": w.ids["member"]},
    ("POST", "/api/shops/me/featured"): lambda w: {"product_id": w.product},
    ("POST", "/api/orders"): lambda w: {"items": [{"product_id": w.product, "quantity": 1}]},
    ("POST", "/api/orders/{order}/pay"): lambda w: {"method": "simulated"},
}
# A logout spends the token it carries: that cell signs in afresh.
SPENDS_THE_TOKEN = {("POST", "/api/auth/logout")}


def test_the_table_covers_every_service():
    services = {path.split("/")[2] if path.startswith("/api/") else path.split("/")[2] for _, path, _ in TABLE}
    assert {"catalog", "auth", "members", "shops", "orders", "commissions", "ranking", "shop", "order"} <= services
    assert len(TABLE) >= 40


def test_every_cell_of_the_authorization_table_holds(platform, client):
    world = World(platform, client)
    wrong = []
    for method, template, expected in TABLE:
        world.request_id = None
        # Refusals first: an allowed call may use its subject up (a request accepted once).
        for role in sorted(ROLES, key=lambda r: 200 <= expected[r] < 300):
            path = re.sub(r"\{(\w+)\}", lambda m: SUBJECTS[m.group(1)](world), template)
            body = BODIES.get((method, template))
            if (method, template) in SPENDS_THE_TOKEN and role != "anonymous":
                world.tokens[role] = world.login(*world.logins[role])
            response = world.call(role, method.lower(), path,
                                  **({"json": body(world)} if body else {}))
            if response.status_code != expected[role]:
                wrong.append(f"{method} {template} as {role}: {response.status_code}, table says {expected[role]} "
                             f"({(response.json or {}).get('detail')})")
            elif response.status_code >= 400:
                assert response.headers["Content-Type"] == "application/problem+json"
            if (method, template) in SPENDS_THE_TOKEN and role != "anonymous":
                world.tokens[role] = world.login(*world.logins[role])
    assert not wrong, "\n".join(wrong)
