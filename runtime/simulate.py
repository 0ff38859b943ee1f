"""`make demo`: a bounded traffic simulator against a running platform's gateway, so the
boards move while you watch (http://127.0.0.1:8000/#/community in a browser beside it).

It is a client like any other: it speaks the public HTTP API only. A small cast signs up
(or signs in again, on a second run) and features products; visitors, signed in or not,
open the shops on the TOP 300 and buy what is featured there at the exclusive price; some
orders are refunded; the demo brand's merchant delists a product now and then and lists it
again later. It stops by itself after `--minutes` (default 2) or `--actions`.

    python -m runtime.simulate [--url http://127.0.0.1:8000] [--minutes 2] [--actions N] [--seed 7]
"""
from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import time

import requests

from runtime.demo import DEMO_PASSWORD

CAST = [("sim.xiaoyu", "模拟·小雨"), ("sim.afei", "模拟·阿飞"), ("sim.lanlan", "模拟·兰兰"), ("sim.dazhuang", "模拟·大壮"),
        ("sim.meimei", "模拟·美美"), ("sim.haohao", "模拟·浩浩")]


class Gateway:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.http = requests.Session()

    def call(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", {}))
        reply = self.http.request(method, self.url + path, headers=headers, timeout=30, **kwargs)
        body = reply.json() if reply.content and "json" in reply.headers.get("Content-Type", "") else {}
        return reply.status_code, body


class Simulator:
    def __init__(self, gateway: Gateway, rng: random.Random):
        self.gw, self.rng = gateway, rng
        self.counts: collections.Counter = collections.Counter()
        self.cast: list[dict] = []
        self.orders: list[tuple[dict, str]] = []
        self.delisted: list[str] = []
        self.merchant: str | None = None

    # --- the cast ---------------------------------------------------------------------
    def sign_in(self, username: str, nickname: str | None) -> dict | None:
        status, body = self.gw.call("POST", "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        if status != 200 and nickname:
            status, body = self.gw.call("POST", "/api/auth/register", json={
                "username": username, "password": DEMO_PASSWORD, "nickname": nickname})
        if status not in (200, 201):
            print(f"  {username}: cannot sign in ({status} {body.get('detail', '')})", file=sys.stderr)
            return None
        return {"username": username, "member_id": body["member_id"], "token": body["token"]}

    def assemble(self) -> None:
        for username, nickname in [("alice", None), ("bob", None), ("carol", None), *CAST]:
            member = self.sign_in(username, nickname)
            if member:
                self.cast.append(member)
        merchant = self.sign_in("merchant", None)
        self.merchant = merchant["token"] if merchant else None
        if not self.cast:
            raise SystemExit("nobody could sign in: is the platform running with its demo data?")

    # --- what people do ---------------------------------------------------------------
    def shops(self) -> list[str]:
        _, board = self.gw.call("GET", "/api/ranking/influence?limit=300")
        ids = [line["member_id"] for line in board.get("items", [])]
        return ids or [m["member_id"] for m in self.cast]

    def visit(self, shops: list[str]) -> None:
        shop = self.rng.choice(shops[:60])
        _, page = self.gw.call("GET", f"/api/shops/{shop}")
        product = self.rng.choice([f["product_id"] for f in page.get("featured", [])] or [None])
        if self.rng.random() < 0.4:
            status, _ = self.gw.call("POST", f"/api/shops/{shop}/visits",
                                     json={"product_id": product, "visitor_key": f"sim-{self.rng.randrange(10 ** 9)}"})
        else:
            visitor = self.rng.choice(self.cast)
            status, _ = self.gw.call("POST", f"/api/shops/{shop}/visits", visitor["token"], json={"product_id": product})
        self.counts["visits" if status == 202 else f"visit {status}"] += 1

    def buy(self, shops: list[str]) -> None:
        buyer = self.rng.choice(self.cast)
        shop = self.rng.choice([s for s in shops[:40] if s != buyer["member_id"]] or shops)
        _, page = self.gw.call("GET", f"/api/shops/{shop}")
        featured = page.get("featured", [])
        if not featured:
            return
        product = self.rng.choice(featured)
        status, order = self.gw.call("POST", "/api/orders", buyer["token"],
                                     headers={"Idempotency-Key": f"sim-{self.rng.randrange(10 ** 12)}"},
                                     json={"items": [{"product_id": product["product_id"], "quantity": 1}],
                                           "shop_id": shop})
        if status not in (201, 202):
            self.counts[f"order {status}"] += 1
            return
        for _ in range(40):  # pending: follow it, as the web client does
            if order.get("status") != "pending":
                break
            time.sleep(0.25)
            _, order = self.gw.call("GET", f"/api/orders/{order['id']}", buyer["token"])
        if order.get("status") != "awaiting_payment":
            self.counts[f"order {order.get('status')}"] += 1
            return
        status, _ = self.gw.call("POST", f"/api/orders/{order['id']}/pay", buyer["token"], json={"method": "simulated"})
        if status == 200:
            self.counts["orders paid"] += 1
            self.orders.append((buyer, order["id"]))

    def refund(self) -> None:
        if not self.orders:
            return
        buyer, order_id = self.orders.pop(self.rng.randrange(len(self.orders)))
        status, _ = self.gw.call("POST", f"/api/orders/{order_id}/refund", buyer["token"])
        self.counts["refunds" if status == 200 else f"refund {status}"] += 1

    def feature(self) -> None:
        member = self.rng.choice(self.cast)
        _, candidates = self.gw.call("GET", f"/api/shops/me/candidates?per_page=50&page={self.rng.randint(1, 20)}",
                                     member["token"])
        choices = [c for c in candidates.get("items", []) if not c["featured"]]
        if not choices:
            return
        status, body = self.gw.call("POST", "/api/shops/me/featured", member["token"],
                                    json={"product_id": self.rng.choice(choices)["product_id"]})
        if status == 409:  # every slot taken: swap one whose lock has ended, if any
            _, shop = self.gw.call("GET", f"/api/shops/{member['member_id']}")
            for item in shop.get("featured", []):
                if self.gw.call("DELETE", f"/api/shops/me/featured/{item['product_id']}", member["token"])[0] == 204:
                    self.counts["swapped"] += 1
                    return
        self.counts["featured" if status == 201 else f"feature {status}"] += 1

    def delist_or_relist(self) -> None:
        if not self.merchant:
            return
        if self.delisted and self.rng.random() < 0.5:
            product = self.delisted.pop(0)
            status, _ = self.gw.call("POST", f"/api/catalog/products/{product}/relist", self.merchant)
            self.counts["relisted" if status == 200 else f"relist {status}"] += 1
            return
        _, me = self.gw.call("GET", "/api/members/me", self.merchant)
        _, products = self.gw.call("GET", f"/api/catalog/products?brand_id={me.get('brand_id')}&per_page=50")
        items = products.get("items", [])
        if items:
            product = self.rng.choice(items)["id"]
            status, _ = self.gw.call("POST", f"/api/catalog/products/{product}/delist", self.merchant,
                                     json={"reason": "模拟：临时缺货"})
            if status == 200:
                self.delisted.append(product)
            self.counts["delisted" if status == 200 else f"delist {status}"] += 1

    # --- the run ----------------------------------------------------------------------
    def run(self, minutes: float, actions: int | None) -> None:
        self.assemble()
        deadline = time.monotonic() + minutes * 60
        done, shops, last_report = 0, self.shops(), 0.0
        moves = [(self.visit, 55), (self.buy, 25), (self.feature, 10), (self.refund, 5), (self.delist_or_relist, 2)]
        while time.monotonic() < deadline and (actions is None or done < actions):
            move = self.rng.choices([m for m, _ in moves], [w for _, w in moves])[0]
            try:
                move(shops) if move in (self.visit, self.buy) else move()
            except requests.RequestException as exc:
                self.counts["unreachable"] += 1
                print(f"  the gateway did not answer: {exc}", file=sys.stderr)
                time.sleep(1)
            done += 1
            if done % 25 == 0:
                shops = self.shops()
            if time.monotonic() - last_report > 2:
                last_report = time.monotonic()
                self.report(done, deadline)
        # The last delisted products come back, so the demo is left as it was found.
        while self.delisted:
            self.gw.call("POST", f"/api/catalog/products/{self.delisted.pop()}/relist", self.merchant)
            self.counts["relisted"] += 1
        self.report(done, deadline, final=True)

    def report(self, done: int, deadline: float, final: bool = False) -> None:
        _, board = self.gw.call("GET", "/api/ranking/influence?limit=3")
        top = " · ".join(f"#{line['rank']} {line['nickname']} {line['score']}" for line in board.get("items", []))
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        left = "done" if final else f"{max(deadline - time.monotonic(), 0):.0f} s left"
        print(f"[{left}] {done} actions: {counts}\n    TOP 3: {top}", flush=True)


def main(argv: list[str] | None = None) -> None:
    port = os.environ.get("GWH_PORT", "8000")
    parser = argparse.ArgumentParser(prog="python -m runtime.simulate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("GWH_DEMO_URL", f"http://127.0.0.1:{port}"),
                        help="the running platform's gateway (default http://127.0.0.1:$GWH_PORT)")
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("GWH_DEMO_MINUTES", "2")))
    parser.add_argument("--actions", type=int, default=None, help="stop after this many actions")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 60:
        parser.error("--minutes must be between 0 and 60")
    gateway = Gateway(args.url)
    try:
        gateway.call("GET", "/health")
    except requests.RequestException:
        raise SystemExit(f"no platform answers at {args.url}: start it with `make run` first")
    print(f"simulating traffic against {args.url} for {args.minutes:g} min; watch {args.url}/#/community")
    Simulator(gateway, random.Random(args.seed)).run(args.minutes, args.actions)


if __name__ == "__main__":
    main()
