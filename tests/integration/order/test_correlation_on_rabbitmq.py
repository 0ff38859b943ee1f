"""One order followed by its request id on RabbitMQ and PostgreSQL, workers running, no
settle(): the answer, the access line, the events in both outboxes, the consumers' log
lines and the counters (tests/support/observe.py), and the AMQP header of the published
event."""
from __future__ import annotations

from kombu import Queue

from tests.conftest import bearer
from tests.support.observe import follow_one_order, json_logs


def test_one_order_is_followed_by_its_request_id_on_rabbitmq(cluster, client, admin):
    bus = cluster.bus
    # A queue of the test's own on the test's exchange, to read order.placed as the broker carries it.
    tap = Queue(f"{bus.exchange.name}.tap", exchange=bus.exchange, routing_key="order.placed", durable=False,
                auto_delete=False)
    with bus.connect() as conn:
        tap(conn.channel()).declare()
    try:
        cluster.start()
        with json_logs() as lines:
            seen = follow_one_order(cluster, client, admin, bearer("m-buyer"), lines)
        with bus.connect() as conn:
            message = tap(conn.channel()).get(no_ack=True, accept=["json"])
        assert message is not None
        assert message.payload["correlation_id"] == seen["request_id"]
        assert message.headers["x-request-id"] == seen["request_id"]
    finally:
        with bus.connect() as conn:
            tap(conn.channel()).delete()
