"""A product page read through the gateway, against a bare Flask view with the same answer.

Both are WSGI apps called in process by werkzeug's test client (no socket on either side),
so the difference is the gateway's routing, the service app (problem+json, auth, the
flask-smorest schema) and the SQLite read.
"""
from __future__ import annotations

import json

from flask import Flask, Response
from werkzeug.test import Client


from bench.measure import Side, compare, discard, scratch


def product_reads_per_second(n: int) -> tuple[float, float]:
    from runtime.embedded import Platform
    from tests.conftest import make_config
    tmp = scratch("gateway")
    from tests.conftest import token_for, trust_harness_tokens
    # The bench's admin is no registered member: the harness vouches for it, as in the tests.
    platform = trust_harness_tokens(Platform(make_config(tmp), services=("catalog",)))
    try:
        client = Client(platform.gateway, Response)
        admin = {"Authorization": "Bearer " + token_for("b", ("admin",))}
        brand = client.post("/api/catalog/brands", json={"name": "Bench"}, headers=admin).json
        product = client.post("/api/catalog/products", headers=admin, json={
            "brand_id": brand["id"], "sku": "B-1", "name": "Bench tea", "category": "tea",
            "list_price_cents": 1000, "exclusive_price_cents": 900, "commission_rate_bp": 100, "stock": 10}).json
        path = f"/api/catalog/products/{product['id']}"
        body = json.dumps(client.get(path).json)
        bare = Flask("bare")
        bare.add_url_rule(path, "product", lambda: Response(body, mimetype="application/json"))
        bare_client = Client(bare, Response)

        def reads(through: Client):
            def run(k: int) -> None:
                for _ in range(k):
                    response = through.get(path)
                    assert response.status_code == 200 and response.json["id"] == product["id"]
            return run

        return compare(Side(reads(bare_client)), Side(reads(client)), n)
    finally:
        platform.stop(drain=False)
        discard(tmp)
