"""Health means what Kubernetes reads from it (shared/health.py, runtime/gateway.py).

Ready = the API can answer (its own database or Redis); the broker and the workers are
advisory: their failure shows as "degraded" with the detail, never as a 503.
"""
import json

from flask import Flask
from werkzeug.test import Client

from runtime.gateway import aggregate, health_app
from shared.health import Advisory, health_blueprint, run_checks


def ok() -> None:
    pass


def broker_down() -> None:
    raise ConnectionRefusedError("[Errno 111] Connection refused")


def database_down() -> None:
    raise RuntimeError("could not connect to server")


def app_with(checks) -> Client:
    app = Flask("t")
    app.register_blueprint(health_blueprint("order", checks))
    return Client(app)


def test_all_checks_passing_is_ok():
    status, results = run_checks({"database": ok, "bus": Advisory(ok)})
    assert status == "ok"
    assert results == {"database": {"ok": True, "required": True}, "bus": {"ok": True, "required": False}}


def test_a_broker_outage_degrades_but_keeps_the_api_ready():
    client = app_with({"database": ok, "bus": Advisory(broker_down), "consumer": Advisory(broker_down)})
    reply = client.get("/health/ready")
    assert reply.status_code == 200
    body = reply.json
    assert body["status"] == "degraded"
    assert body["checks"]["bus"] == {"ok": False, "required": False,
                                     "detail": "ConnectionRefusedError: [Errno 111] Connection refused"}
    assert client.get("/health/live").status_code == 200


def test_a_database_outage_makes_the_api_unready_whatever_else_fails():
    client = app_with({"database": database_down, "bus": Advisory(broker_down)})
    reply = client.get("/health/ready")
    assert reply.status_code == 503
    assert reply.json["status"] == "unavailable"
    assert reply.json["checks"]["database"]["required"] is True
    # The process itself still serves: liveness must not get it restarted for an outage.
    assert client.get("/health/live").status_code == 200


def _aggregate(readiness) -> tuple[int, dict]:
    response = aggregate(readiness)
    return response.status_code, json.loads(response.get_data())


def test_the_gateway_health_is_degraded_with_200_while_every_service_answers():
    status, body = _aggregate({
        "catalog": (200, {"status": "ok", "checks": {"database": {"ok": True}}}),
        "order": (200, {"status": "degraded", "checks": {"consumer": {"ok": False, "detail": "no consumer"}}}),
    })
    assert status == 200
    assert body["status"] == "degraded"
    assert body["services"]["order"] == {"ready": True, "status": "degraded",
                                         "checks": {"consumer": {"ok": False, "detail": "no consumer"}}}
    assert body["services"]["catalog"]["status"] == "ok"


def test_the_gateway_health_is_503_when_a_service_cannot_answer():
    status, body = _aggregate({
        "catalog": (200, {"status": "degraded", "checks": {}}),
        "order": (503, {"status": "unavailable", "checks": {"database": {"ok": False}}}),
    })
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["services"]["order"]["ready"] is False


def test_the_gateway_health_is_ok_when_all_are():
    status, body = _aggregate({"catalog": (200, {"status": "ok"}), "shop": (200, {"status": "ok"})})
    assert (status, body["status"]) == (200, "ok")


def test_the_cluster_health_app_counts_an_unreachable_service_as_unavailable():
    import socket
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    reply = Client(health_app({"catalog": f"http://127.0.0.1:{port}"}, timeout=1)).get("/health")
    assert reply.status_code == 503
    body = json.loads(reply.get_data())
    assert body["status"] == "unavailable"
    assert body["services"]["catalog"]["checks"]["http"]["ok"] is False


def test_an_api_whose_broker_is_unreachable_stays_ready_and_takes_writes(tmp_path):
    """No stub: the catalog on a broker URL where nothing listens. Its readiness says
    degraded and names the broker; writes go on (the outbox keeps their events)."""
    import socket

    from services.catalog.app import build
    from types import SimpleNamespace

    from tests.conftest import bearer, make_config, trust_harness_tokens
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    config = make_config(tmp_path / "data", bus_url=f"amqp://guest:guest@127.0.0.1:{port}//")
    parts = build(config)
    # No shop runs here to vouch for the test's admin: the harness does (tests/conftest.py).
    trust_harness_tokens(SimpleNamespace(parts={"catalog": parts}))
    try:
        client = Client(parts.app)
        reply = client.get("/health/ready")
        assert reply.status_code == 200
        body = reply.json
        assert body["status"] == "degraded"
        assert body["checks"]["database"]["ok"] is True
        assert body["checks"]["bus"]["ok"] is False and "refused" in body["checks"]["bus"]["detail"].lower()
        assert body["checks"]["consumer"]["ok"] is False
        created = client.post("/api/catalog/brands", json={"name": "Tea House"}, headers=bearer("admin-1", roles=("admin",)))
        assert created.status_code == 201, created.json
        assert parts.relay.pending() == 1  # its event waits for the broker
    finally:
        parts.close()


def test_a_handler_failing_on_the_broker_is_requeued_and_the_log_names_the_broker(caplog):
    """A handler that publishes (the ranking's announcements) and finds the broker gone:
    the message waits, and the log says "broker", not "store"."""
    import logging

    from shared.bus import BrokerUnavailable, Bus, Consumer
    from shared.events import make_event

    def dispatch(event):
        raise BrokerUnavailable("broker connection lost: ConnectionResetError: [Errno 104] Connection reset by peer")

    class Message:
        headers: dict = {}
        requeued = acked = False

        def requeue(self):
            self.requeued = True

        def ack(self):
            self.acked = True

    consumer = Consumer(Bus("memory://", retry_backoff=0.0), "ranking", ["shop.visited"], dispatch)
    message = Message()
    with caplog.at_level(logging.WARNING, logger="gwh.bus"):
        consumer.handle(make_event("shop.visited", {"visit_id": "v", "shop_id": "s", "visitor": "x"},
                                   "shop").to_dict(), message)
    assert message.requeued and not message.acked and consumer.dead_lettered == 0
    [record] = [r for r in caplog.records if r.name == "gwh.bus"]
    assert "waits for the broker" in record.getMessage() and "store" not in record.getMessage()


def test_an_advisory_check_that_hangs_degrades_instead_of_holding_the_answer():
    """A broker behind a partition hangs rather than refuses: readiness must still answer,
    in time for the probe, as degraded."""
    import threading
    release = threading.Event()

    def hangs() -> None:
        release.wait(30)

    try:
        client = app_with({"database": ok, "bus": Advisory(hangs, timeout=0.2)})
        reply = client.get("/health/ready")
        assert reply.status_code == 200
        assert reply.json["status"] == "degraded"
        assert reply.json["checks"]["bus"]["detail"] == "TimeoutError: did not answer within 0.2s"
    finally:
        release.set()
