"""Demo data for the embedded mode (GWH_DEMO_DATA=1, the default): a believable month.

24 invited brands and 1,200 products (runtime/demo_catalog.py), 2,000 members with
friendships and privacy choices, shops that feature products, visits, and orders that are
paid, refunded, cancelled or left to expire, spread over the last 30 days, so the TOP 300,
the friend boards, the analytics and the commissions are full on the first page view.

How it is made, and what it does not bypass:
- Every action goes through the gateway's public API, in process, as a client would
  (each demo member with its own token and its own client address), except opening the
  2,000 accounts: those go through the shop service's own `open_account` use case (the one
  the register view calls, with its unit of work and its `shop.member.registered` event),
  handed one argon2id hash of the shared demo password, computed once. Hashing 2,000
  passwords (~20 ms each) would take most of the minute; this is the one shortcut, and it
  only skips the hashing, not a rule or an event.
- "Over the last 30 days": the platform runs on a `TravelClock`, the clock every service
  reads (runtime/embedded.py injects it). The seeder starts it 30 days back and only moves
  it forward, a day at a time, waiting for the events of each day to settle and running the
  periodic jobs (order expiry, commission settlement) before the next: each service stamps
  its rows and events with the moved time exactly as it would have then. At the end the
  clock is the system clock again (offset zero) and stays so while the platform serves.
- It runs once per data dir: only on an empty platform (no brand yet).

The demo members share the password `demo-password-1`: alice, bob and carol (a busy shop
and two friends), `admin`, and `merchant` (the first brand's merchant).
"""
from __future__ import annotations

import logging
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Response
from werkzeug.test import Client

from shared.auth import issue_service_token
from shared.clock import utcnow

from runtime import demo_catalog

log = logging.getLogger("gwh.demo")

DEMO_PASSWORD = "demo-password-1"


@dataclass(frozen=True)
class Scale:
    brands: int = len(demo_catalog.BRANDS)
    products_per_brand: int = demo_catalog.PER_BRAND
    members: int = 2000
    sellers: int = 320           # members who feature products (the others visit and buy)
    friends_per_member: float = 1.05
    days: int = 30
    visits_per_day: int = 70
    orders_per_day: int = 14
    refund_rate: float = 0.08
    unpaid_rate: float = 0.05    # left to expire after 30 minutes (cancelled)
    workers: int = 4


# For tests and a quick look: the same shape, a few dozen members.
SMALL = Scale(brands=4, products_per_brand=8, members=40, sellers=12, friends_per_member=2.0, days=10,
              visits_per_day=20, orders_per_day=6, refund_rate=0.25)
SCALES = {"full": Scale(), "small": SMALL}


def scale_from_env(environ=None) -> Scale:
    """GWH_DEMO_SCALE: `full` (the default) or `small` (a few dozen members, for tests)."""
    import os
    name = (environ if environ is not None else os.environ).get("GWH_DEMO_SCALE", "full").strip().lower() or "full"
    if name not in SCALES:
        raise SystemExit(f"GWH_DEMO_SCALE must be one of {', '.join(SCALES)}, not {name!r}")
    return SCALES[name]


class TravelClock:
    """The system clock, or a moment in the past the demo seeder moves forward from.

    `start_at` sets it back once, on an empty platform (nothing has been stamped yet);
    after that it only moves forward, so no service sees time run backwards. Offset zero
    is the system clock.
    """

    def __init__(self):
        self._offset = timedelta(0)
        self._lock = threading.Lock()
        self._started = False

    def now(self) -> datetime:
        return utcnow() + self._offset

    def start_at(self, moment: datetime) -> None:
        with self._lock:
            if self._started:
                raise ValueError("the travel clock was set back once already")
            self._started = True
            self._offset = min(moment - utcnow(), timedelta(0))

    def travel_to(self, moment: datetime) -> None:
        with self._lock:
            offset = moment - utcnow()
            if offset < self._offset - timedelta(seconds=1):
                raise ValueError("the travel clock only moves forward")
            self._offset = min(offset, timedelta(0))

    def back_to_now(self) -> None:
        with self._lock:
            self._offset = timedelta(0)


class DemoError(RuntimeError):
    pass


class Progress:
    """A progress bar on a terminal; a log line every tenth otherwise."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.stream = max(total, 1), 0, stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.label, self.started, self._last_tenth = "", time.monotonic(), -1
        self._lock = threading.Lock()

    def step(self, label: str, count: int = 1) -> None:
        with self._lock:
            self.done = min(self.done + count, self.total)
            self.label = label
            share = self.done / self.total
            if self.tty:
                bar = "#" * int(share * 30)
                self.stream.write(f"\rdemo data [{bar:<30}] {share:4.0%} {label:<28}")
                self.stream.flush()
            elif int(share * 10) != self._last_tenth:
                self._last_tenth = int(share * 10)
                log.info("demo data: %3.0f%% %s", share * 100, label)

    def close(self) -> None:
        if self.tty:
            self.stream.write(f"\rdemo data [{'#' * 30}] 100% done in {time.monotonic() - self.started:.0f} s{' ' * 20}\n")
            self.stream.flush()


@dataclass
class Member:
    index: int
    username: str
    nickname: str
    member_id: str = ""
    token: str = ""
    friends: list[int] = field(default_factory=list)
    featured: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        """Each demo member calls from an address of its own, as separate phones would."""
        return f"10.{(self.index >> 16) & 255}.{(self.index >> 8) & 255}.{self.index & 255}"


SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
            ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
            ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"), ("罗", "luo"), ("高", "gao")]
GIVEN = [("小雨", "xiaoyu"), ("晨", "chen"), ("思远", "siyuan"), ("佳怡", "jiayi"), ("子涵", "zihan"), ("浩然", "haoran"),
         ("雨桐", "yutong"), ("欣怡", "xinyi"), ("一鸣", "yiming"), ("梓萱", "zixuan"), ("俊杰", "junjie"), ("诗涵", "shihan"),
         ("宇航", "yuhang"), ("可馨", "kexin"), ("明轩", "mingxuan"), ("婉清", "wanqing"), ("天佑", "tianyou"),
         ("若曦", "ruoxi"), ("嘉豪", "jiahao"), ("静怡", "jingyi"), ("文博", "wenbo"), ("梦琪", "mengqi")]
BIOS = ["只推荐自己用过的好东西", "爱喝茶的上班族", "宝妈一枚，分享育儿好物", "健身三年，装备党", "数码控，欢迎来逛",
        "家里有两只猫", "周末喜欢下厨", "读书、旅行、拍照", "好物分享，朋友专属价", "理性消费，只买对的"]


class Seeder:
    def __init__(self, platform, scale: Scale, clock: TravelClock | None, rng: random.Random):
        self.platform, self.scale, self.clock, self.rng = platform, scale, clock, rng
        self.local = threading.local()
        self.admin = issue_service_token(platform.config.jwt_secret, "demo-seed", ttl_seconds=3600)
        self.products: list[dict] = []
        self.members: list[Member] = []
        self.orders_to_refund: dict[int, list[tuple[Member, str]]] = {}
        self.skipped = 0
        self.lock = threading.Lock()
        self.progress: Progress | None = None

    # --- calling the API -------------------------------------------------------------
    def client(self) -> Client:
        if not hasattr(self.local, "client"):
            self.local.client = Client(self.platform.gateway, Response)
        return self.local.client

    def call(self, method: str, path: str, *, token: str | None = None, address: str = "10.255.0.1",
             allow: tuple[int, ...] = (), **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", {}))
        response = self.client().open(path, method=method.upper(), headers=headers,
                                      environ_base={"REMOTE_ADDR": address}, **kwargs)
        if response.status_code in allow:
            with self.lock:
                self.skipped += 1
            return None
        if response.status_code >= 300:
            raise DemoError(f"{method.upper()} {path} -> {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json(silent=True) or {}

    def parallel(self, function, items, label: str, weight: int = 1) -> list:
        def run(item):
            result = function(item)
            self.progress.step(label, weight)
            return result
        with ThreadPoolExecutor(max_workers=self.scale.workers) as pool:
            return list(pool.map(run, items))

    def settle(self) -> None:
        from runtime.embedded import wait_settled
        # Looked at every 5 ms: the seeder settles about a hundred times, and at the default
        # 20 ms the quiet checks alone cost about 6 of its seconds (cProfile).
        wait_settled(self.platform, timeout=60, poll=0.005)

    # --- the month ---------------------------------------------------------------------
    def run(self) -> None:
        scale = self.scale
        catalog = demo_catalog.products(random.Random(20210520), scale.brands, scale.products_per_brand)
        planned = (scale.brands + len(catalog) + scale.members
                   + int(scale.members * scale.friends_per_member) + scale.sellers * 3
                   + scale.days * (scale.visits_per_day + 2 * scale.orders_per_day))
        self.progress = Progress(planned)
        # Midnight UTC, `days - 1` days ago: each day's activity at 10:00 and 14:00 in Shanghai.
        start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=scale.days - 1)
        if self.clock is not None:
            self.clock.start_at(start)  # nothing exists yet: no row or event has a time to contradict
        self.open_catalog(catalog)
        self.open_accounts()
        self.settle()
        self.befriend()
        self.choose_privacy()
        self.settle()
        feature_day = {m.index: self.rng.randrange(max(scale.days // 3, 1)) for m in self.sellers}
        for day in range(scale.days):
            self.travel(start + timedelta(days=day, hours=2))
            self.feature([m for m in self.sellers if feature_day[m.index] == day], day)
            if day and day % 7 == 0:
                self.swap(day)
            self.change_prices(day)
            self.settle()
            self.travel(start + timedelta(days=day, hours=6))
            self.visit(day)
            self.buy(day)
            self.refund(day)
            if day == scale.days - 3:
                self.delist()
            self.settle()
            self.platform.run_periodic()  # expiry of unpaid orders, settlement after 7 days
        if self.clock is not None:
            self.clock.back_to_now()
        self.platform.run_periodic()
        self.withdraw()
        self.settle()
        self.progress.close()

    def travel(self, moment: datetime) -> None:
        if self.clock is not None:
            self.clock.travel_to(moment)

    @property
    def sellers(self) -> list[Member]:
        return self.members[:self.scale.sellers]

    def open_catalog(self, catalog: list[demo_catalog.DemoProduct]) -> None:
        brands = []
        for name, _, slugs in demo_catalog.BRANDS[:self.scale.brands]:
            categories = "、".join(demo_catalog.BY_SLUG[s].name for s in slugs)
            brands.append(self.call("post", "/api/catalog/brands", token=self.admin,
                                    json={"name": name, "description": f"受邀品牌，主营{categories}。"}))
            self.progress.step("brands")
        base = self.platform.config.gateway_url.rstrip("/")

        def create(product: demo_catalog.DemoProduct) -> dict:
            return self.call("post", "/api/catalog/products", token=self.admin, json={
                "brand_id": brands[product.brand_index]["id"], "sku": product.sku, "name": product.name,
                "category": product.category.name, "description": f"{product.name}，品牌直供，正品保障。",
                "image_url": f"{base}/static/demo/{product.art}", "list_price_cents": product.list_price_cents,
                "exclusive_price_cents": product.exclusive_price_cents,
                "commission_rate_bp": product.commission_rate_bp, "stock": product.stock,
                "sensitive": product.sensitive})
        self.products = self.parallel(create, catalog, "products")
        self.brands = brands

    def open_accounts(self) -> None:
        """The shop service's own use case, with one hash of the shared demo password."""
        from services.shop.usecases import accounts
        from services.shop.domain.accounts import roles_for

        shop = self.platform["shop"]
        password_hash = shop.context.passwords.hash(DEMO_PASSWORD)
        named = [("alice", "Alice 爱丽丝"), ("bob", "Bob 小波"), ("carol", "Carol 卡罗")]
        people = list(named)
        taken = {u for u, _ in named}
        while len(people) < self.scale.members:
            (s_cn, s_py), (g_cn, g_py) = self.rng.choice(SURNAMES), self.rng.choice(GIVEN)
            username = f"{s_py}.{g_py}{self.rng.randrange(10, 100)}"
            if username not in taken:
                taken.add(username)
                people.append((username, s_cn + g_cn))
        self.members = [Member(i, u, n) for i, (u, n) in enumerate(people)]
        # alice is a seller with a busy shop; bob and carol are among her friends and buyers.
        batch = 100
        for first in range(0, len(self.members), batch):
            with shop.db.unit_of_work() as uow:
                for member in self.members[first:first + batch]:
                    account = accounts.open_account(uow, password_hash, username=member.username,
                                                    nickname=member.nickname, roles=roles_for())
                    member.member_id = account.member_id
                    member.token = accounts.token_for(self.platform.config, account)
            self.progress.step("members", len(self.members[first:first + batch]))
        with shop.db.unit_of_work() as uow:
            accounts.open_account(uow, password_hash, username="admin", nickname="管理员 Admin",
                                  roles=roles_for(admin=True))
        self.settle()  # the shop service learns the brands from the catalog's events
        self.call("post", "/api/auth/merchants", token=self.admin, json={
            "username": "merchant", "password": DEMO_PASSWORD, "nickname": f"{self.brands[0]['name']} 商家",
            "brand_id": self.brands[0]["id"]})

    def befriend(self) -> None:
        """Everyone has a friend who runs a shop (busier shops have more friends), some
        have more; alice is a hub with three dozen friends."""
        n = len(self.members)
        pairs: set[tuple[int, int]] = set()
        for friend in range(1, min(n, 36)):
            pairs.add((0, friend))
        sellers = range(min(self.scale.sellers, n))
        weights = [1 / (i + 6) for i in sellers]
        for member in range(1, n):
            seller = self.rng.choices(sellers, weights)[0]
            if seller != member:
                pairs.add((min(seller, member), max(seller, member)))
        target = int(n * self.scale.friends_per_member)
        while len(pairs) < target:
            a, b = self.rng.randrange(n), self.rng.randrange(n)
            if a != b:
                pairs.add((min(a, b), max(a, b)))
        for a, b in pairs:
            self.members[a].friends.append(b)
            self.members[b].friends.append(a)

        def connect(pair):
            asker, asked = self.members[pair[1]], self.members[pair[0]]
            request = self.call("post", "/api/members/me/friend-requests", token=asker.token, address=asker.address,
                                json={"member_id": asked.member_id})
            self.call("post", f"/api/members/me/friend-requests/{request['id']}/accept", token=asked.token,
                      address=asked.address)
        self.parallel(connect, sorted(pairs), "friendships")

    def choose_privacy(self) -> None:
        choices = []
        for member in self.members[3:]:
            roll = self.rng.random()
            if roll < 0.06:
                choices.append((member, {"stats_visible_to": "everyone"}))
            elif roll < 0.10:
                choices.append((member, {"stats_visible_to": "nobody", "show_in_leaderboards": False}))
            elif roll < 0.16:
                choices.append((member, {"show_me_as_visitor": False, "purchases_visible_to": "friends"}))
        choices.append((self.members[0], {"stats_visible_to": "everyone", "purchases_visible_to": "friends"}))

        def choose(item):
            member, change = item
            settings = {"purchases_visible_to": "nobody", "stats_visible_to": "friends", "show_in_leaderboards": True,
                        "show_me_as_visitor": True, **change}
            self.call("put", "/api/members/me/privacy", token=member.token, address=member.address, json=settings)
        self.parallel(choose, choices, "privacy", weight=0)

    def listed(self) -> list[dict]:
        return [p for p in self.products if not p.get("_delisted") and not p["sensitive"]]

    def feature(self, sellers: list[Member], day: int) -> None:
        listed = self.listed()
        sensitive = [p for p in self.products if p["sensitive"]]
        plans = []  # decided here, in one thread, so a seed gives the same month every time
        for member in sellers:
            picks = self.rng.sample(listed, 4 if member.index == 0 else self.rng.choice((2, 3, 3, 4)))
            if member.index % 29 == 0 and sensitive:
                picks[-1] = self.rng.choice(sensitive)  # sensitive, but featured
            plans.append((member, picks, self.rng.choice(BIOS) if self.rng.random() < 0.3 else None))

        def feature_some(plan):
            member, picks, bio = plan
            for product in picks:
                self.call("post", "/api/shops/me/featured", token=member.token, address=member.address,
                          json={"product_id": product["id"]})
                member.featured.append(product["id"])
            if bio:
                self.call("patch", "/api/members/me", token=member.token, address=member.address, json={"bio": bio})
        self.parallel(feature_some, plans, f"featuring, day {day + 1}", weight=3)

    def swap(self, day: int) -> None:
        """Some sellers swap a product whose 72-hour lock has ended: two more active days."""
        listed = self.listed()
        plans = []
        for member in self.sellers:
            if member.featured and self.rng.random() < 0.12:
                new = self.rng.choice([p for p in listed if p["id"] not in member.featured])
                plans.append((member, member.featured[0], new))

        def swap_one(plan):
            member, old, new = plan
            if self.call("delete", f"/api/shops/me/featured/{old}", token=member.token, address=member.address,
                         allow=(409,)) is None:
                return  # still locked: featured less than 72 hours ago
            member.featured.remove(old)
            self.call("post", "/api/shops/me/featured", token=member.token, address=member.address,
                      json={"product_id": new["id"]})
            member.featured.append(new["id"])
        self.parallel(swap_one, plans, f"swaps, day {day + 1}", weight=0)

    def change_prices(self, day: int) -> None:
        """A promotion and a price rise, so some 30-day lowest prices differ from today's."""
        days = self.scale.days
        if day not in (days // 4, days // 2, days // 2 + 3):
            return
        # The promotion and its end pick the same products (the same seed).
        chosen = random.Random(7 if day == days // 4 else 8)
        products = chosen.sample(self.listed(), min(60, len(self.listed())))

        def reprice(product: dict):
            if day == days // 2:  # a promotion ...
                product["_before_promotion"] = product["exclusive_price_cents"]
                price = max(100, product["exclusive_price_cents"] * 85 // 100 // 10 * 10)
            elif day == days // 2 + 3:  # ... that ends
                price = product.pop("_before_promotion", product["exclusive_price_cents"])
            else:  # a rise
                price = min(product["list_price_cents"], product["exclusive_price_cents"] * 110 // 100 // 10 * 10)
            self.call("patch", f"/api/catalog/products/{product['id']}", token=self.admin,
                      json={"exclusive_price_cents": price})
            product["exclusive_price_cents"] = price
        self.parallel(reprice, products, "prices", weight=0)

    def popular_sellers(self) -> list[Member]:
        """Sellers with something featured, weighted: a few shops get most of the traffic."""
        return [m for m in self.sellers if m.featured]

    def pick_seller(self, sellers: list[Member]) -> Member:
        # Zipf-like: alice and the first sellers are busier than the rest.
        return self.rng.choices(sellers, [1 / (m.index + 6) for m in sellers])[0]

    def visit(self, day: int) -> None:
        sellers = self.popular_sellers()
        if not sellers:
            self.progress.step("visits", self.scale.visits_per_day)
            return
        visits = []
        for _ in range(self.scale.visits_per_day):
            shop = self.pick_seller(sellers)
            product = self.rng.choice(shop.featured + [None])
            if self.rng.random() < 0.2 or not shop.friends:
                anonymous = self.rng.randrange(10 ** 6)
                visits.append((shop, None, f"demo-anon-{anonymous:06d}", f"10.254.{anonymous % 251}.{anonymous % 241}",
                               product))
            else:
                visitor = self.members[self.rng.choice(shop.friends)]
                visits.append((shop, visitor.token, None, visitor.address, product))

        def go(item):
            shop, token, key, address, product = item
            body = {"product_id": product}
            if key is not None:
                body["visitor_key"] = key
            # A 429 is a visit the shop service's rate limit refused: skipped, as a real one would be.
            self.call("post", f"/api/shops/{shop.member_id}/visits", token=token, address=address, json=body,
                      allow=(429,))
        self.parallel(go, visits, f"visits, day {day + 1}")

    def buy(self, day: int) -> None:
        sellers = [m for m in self.popular_sellers() if m.friends]
        listed = self.listed()
        plans = []
        for _ in range(self.scale.orders_per_day):
            roll = self.rng.random()
            shop = self.pick_seller(sellers) if sellers else None
            if shop is not None and roll < 0.85:
                buyer = self.members[self.rng.choice(shop.friends)]
                product_id = self.rng.choice(shop.featured)
            elif shop is not None and roll < 0.9:
                buyer, product_id = shop, self.rng.choice(shop.featured)  # through their own shop: no commission
            else:
                buyer, product_id, shop = self.rng.choice(self.members), self.rng.choice(listed)["id"], None
            # Decided now, in one thread: left unpaid (it expires), or paid and perhaps refunded later.
            unpaid = self.rng.random() < self.scale.unpaid_rate
            refund_on = (min(day + self.rng.randrange(0, 5), self.scale.days - 1)
                         if self.rng.random() < self.scale.refund_rate else None)
            plans.append((buyer, shop, product_id, self.rng.choice((1, 1, 1, 2)), unpaid, refund_on))

        def place(plan):
            buyer, shop, product_id, quantity, unpaid, refund_on = plan
            body = {"items": [{"product_id": product_id, "quantity": quantity}]}
            if shop is not None:
                body["shop_id"] = shop.member_id
            order = self.call("post", "/api/orders", token=buyer.token, address=buyer.address, json=body,
                              headers={"Idempotency-Key": f"demo-{day}-{id(plan)}"}, allow=(409, 422))
            return (plan, order) if order else None
        placed = [p for p in self.parallel(place, plans, f"orders, day {day + 1}") if p]
        self.settle()  # the catalog reserves; the order waits for payment

        def pay(item):
            (buyer, _, _, _, unpaid, refund_on), order = item
            if unpaid:
                return None  # left unpaid: it expires after 30 minutes
            paid = self.call("post", f"/api/orders/{order['id']}/pay", token=buyer.token, address=buyer.address,
                             json={"method": "simulated"}, allow=(409,))
            if paid and refund_on is not None:
                with self.lock:
                    self.orders_to_refund.setdefault(refund_on, []).append((buyer, order["id"]))
            return paid
        self.parallel(pay, placed, f"payments, day {day + 1}")
        self.progress.step("payments", len(plans) - len(placed))

    def refund(self, day: int) -> None:
        def refund_one(item):
            buyer, order_id = item
            self.call("post", f"/api/orders/{order_id}/refund", token=buyer.token, address=buyer.address, allow=(409,))
        self.parallel(refund_one, self.orders_to_refund.pop(day, []), "refunds", weight=0)

    def delist(self) -> None:
        """A brand withdraws three products that shops feature: they leave every shop, the
        owners are told, unpaid orders for them are cancelled."""
        featured = [pid for m in self.sellers for pid in m.featured]
        for product_id in list(dict.fromkeys(featured))[3:6]:
            self.call("post", f"/api/catalog/products/{product_id}/delist", token=self.admin,
                      json={"reason": "品牌调整，该商品停止销售"})
            for product in self.products:
                if product["id"] == product_id:
                    product["_delisted"] = True
            for member in self.sellers:
                if product_id in member.featured:
                    member.featured.remove(product_id)

    def withdraw(self) -> None:
        """alice and a few busy sellers ask for part of their settled commission; an admin
        decides one, the others wait on the admin page."""
        asked = []
        for member in self.sellers[:8]:
            statement = self.call("get", "/api/commissions/me", token=member.token, address=member.address)
            amount = statement.get("available_cents", 0) // 2
            if amount >= 100:
                asked.append(self.call("post", "/api/commissions/me/withdrawals", token=member.token,
                                       address=member.address, json={"amount_cents": amount}))
        if len(asked) > 2:
            self.call("post", f"/api/commissions/withdrawals/{asked[-1]['id']}/approve", token=self.admin)


def seed(platform, *, scale: Scale = Scale(), clock: TravelClock | None = None, seed_value: int = 13) -> bool:
    """Seed an empty platform; returns False (and changes nothing) if it has data already.

    `clock` is the platform's TravelClock when it has one (python -m runtime); without
    it, everything happens now.
    """
    client = Client(platform.gateway, Response)
    if client.get("/api/catalog/brands").json.get("total", 0) > 0:
        return False
    if clock is None and isinstance(platform.clock, TravelClock):
        clock = platform.clock
    started = time.monotonic()
    seeder = Seeder(platform, scale, clock, random.Random(seed_value))
    try:
        seeder.run()
    finally:
        if clock is not None:
            clock.back_to_now()
    log.info("demo data: %d brands, %d products, %d members in %.0f s (%d actions refused and skipped: locks, "
             "rate limits, stock); sign in as alice, bob, carol, admin or merchant (password %r)",
             len(seeder.brands), len(seeder.products), len(seeder.members), time.monotonic() - started,
             seeder.skipped, DEMO_PASSWORD)
    return True
