"""The shop on PostgreSQL and RabbitMQ: delisting propagation through the real broker,
redelivery, and the races that row locks and unique indexes must decide."""
import threading

from flask import Response
from werkzeug.test import Client

from runtime.embedded import wait_settled


def featured_ids(client, member):
    return sorted(f["product_id"] for f in client.get(f"/api/shops/{member.id}").json["featured"])


def test_a_delisting_travels_through_rabbitmq_to_every_shop(world, client, cluster):
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    recalled, kept = world.product("Oolong"), world.product("Pu'er")
    for member in (alice, bob, carol):
        assert world.feature(member, recalled).status_code == 201
    world.feature(bob, kept)

    cluster.start()  # workers and relays as threads, as in the cluster mode
    response = client.post(f"/api/catalog/products/{recalled}/delist", json={"reason": "quality recall"},
                           headers=world.admin)
    assert response.status_code == 200
    wait_settled(cluster)

    assert featured_ids(client, alice) == [] and featured_ids(client, bob) == [kept]
    assert featured_ids(client, carol) == []
    for member in (alice, bob, carol):
        [note] = world.notifications(member)
        assert note["product_id"] == recalled and "quality recall" in note["message"]
    assert world.feature(alice, kept).status_code == 201  # the freed slot takes a product at once


def test_a_redelivered_delisting_on_rabbitmq_notifies_once(world, client, cluster):
    alice = world.member("alice")
    product = world.product()
    world.feature(alice, product)
    world.delist(product)
    [envelope] = world.outbox("catalog.product.delisted", service="catalog", envelopes=True)
    world.redeliver(envelope)
    world.redeliver(envelope)
    assert len(world.notifications(alice)) == 1
    assert len(world.outbox("shop.featured.removed")) == 1


def race(cluster, calls):
    """Run each call in its own thread with its own client, all released at once."""
    gate = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        client = Client(cluster.gateway, Response)
        gate.wait()
        results[index] = call(client)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_products_racing_for_the_last_slot_one_wins(world, client, cluster):
    alice = world.member("alice")
    products = [world.product(f"Tea {i}") for i in range(11)]
    for product in products[:3]:
        world.feature(alice, product)
    contenders = products[3:]
    results = race(cluster, [
        (lambda c, p=p: c.post("/api/shops/me/featured", json={"product_id": p}, headers=alice.headers).status_code)
        for p in contenders])
    assert sorted(results) == [201] + [409] * (len(contenders) - 1)
    assert len(featured_ids(client, alice)) == 4


def test_two_members_asking_each_other_at_once_leave_one_open_request(world, client, cluster):
    alice, bob = world.member("alice"), world.member("bob")
    for _ in range(3):
        results = race(cluster, [
            lambda c: c.post("/api/members/me/friend-requests", json={"member_id": bob.id},
                             headers=alice.headers).status_code,
            lambda c: c.post("/api/members/me/friend-requests", json={"member_id": alice.id},
                             headers=bob.headers).status_code,
        ])
        opened = results.count(201)
        assert sorted(results) == [201] * opened + [409] * (2 - opened)
    incoming = (client.get("/api/members/me/friend-requests", headers=alice.headers).json["total"]
                + client.get("/api/members/me/friend-requests", headers=bob.headers).json["total"])
    assert incoming == 1


def test_one_username_registered_twice_at_once_is_one_account(world, client, cluster):
    body = {"username": "same", "password": "correct horse", "nickname": "Same"}
    results = race(cluster, [lambda c: c.post("/api/auth/register", json=body).status_code] * 4)
    assert sorted(results) == [201, 409, 409, 409]


def test_wrong_passwords_at_once_all_count(world, client, cluster):
    world.member("alice")
    results = race(cluster, [
        lambda c: c.post("/api/auth/login", json={"username": "alice", "password": "guess"}).status_code] * 5)
    assert results == [401] * 5
    assert client.post("/api/auth/login", json={"username": "alice", "password": "correct horse"}
                       ).status_code == 429


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_of_another(world, client):
    world.member("alice")

    def login(password, address):
        return client.post("/api/auth/login", json={"username": "alice", "password": password},
                           environ_base={"REMOTE_ADDR": address}).status_code

    assert [login("guess", "203.0.113.66") for _ in range(5)] == [401] * 5
    assert login("correct horse", "203.0.113.66") == 429
    assert login("correct horse", "198.51.100.7") == 200
