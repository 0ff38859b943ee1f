"""Token revocation on the real servers: the four services on RabbitMQ, PostgreSQL and
Redis (workers as threads), acting as a client does, with no settle(). The shop refuses a
revoked token from its own commit on; the catalog and order (PostgreSQL) and the ranking
(Redis) as soon as shop.tokens.revoked reaches them over RabbitMQ."""
from __future__ import annotations

import uuid

import pytest
from flask import Response
from werkzeug.test import Client

from shared.auth import issue_token
from shared.principal import Principal
from tests.support.tokens import PASSWORD, PROBES, assert_refused_everywhere_soon, bearer, probe, register
from tests.conftest import JWT_SECRET, make_config
from tests.support.topology import delete_topology

pytestmark = pytest.mark.integration


@pytest.fixture
def client(tmp_path, amqp_url, postgres_urls, redis_url):
    from runtime.embedded import Platform
    from tests.support.shop_world import SHOP_ADAPTERS
    config = make_config(tmp_path / "data", bus_url=amqp_url, database_urls=postgres_urls, redis_url=redis_url)
    platform = Platform(config, adapters=SHOP_ADAPTERS)
    platform.start()
    yield Client(platform.gateway, Response)
    platform.stop(drain=False)
    delete_topology(platform)


def test_logout_and_password_change_revoke_in_every_service(client):
    token = register(client)["token"]
    for service, (_, _, _, status) in PROBES.items():  # a new member, accepted everywhere at once
        assert probe(client, service, token).status_code == status, service
    assert client.post("/api/auth/logout", headers=bearer(token)).status_code == 204
    assert client.get("/api/members/me", headers=bearer(token)).status_code == 401
    assert_refused_everywhere_soon(client, token, PROBES)

    second = client.post("/api/auth/login", json={"username": "dora", "password": PASSWORD}).json["token"]
    changed = client.put("/api/members/me/password", headers=bearer(second),
                         json={"old_password": PASSWORD, "new_password": "another-long-one"})
    assert changed.status_code == 200
    assert client.get("/api/members/me", headers=bearer(second)).status_code == 401
    assert_refused_everywhere_soon(client, second, PROBES)
    for service, (_, _, _, status) in PROBES.items():
        assert probe(client, service, changed.json["token"]).status_code == status, service


def test_a_forged_token_for_an_unknown_member_is_refused_on_the_real_servers(client):
    forged = issue_token(JWT_SECRET, Principal(uuid.uuid4().hex, roles=("member", "admin")))
    for service in PROBES:
        assert probe(client, service, forged).status_code == 401, service
