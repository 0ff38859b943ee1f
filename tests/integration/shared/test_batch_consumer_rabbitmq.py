"""The batch consumer (shared/batch.py) on this machine's RabbitMQ: prefetched messages
taken as batches and acked with one `multiple` ack each, nothing left unacked or redelivered."""
from __future__ import annotations

import threading
import uuid

import pytest

from shared.bus import Bus, wait_for
from tests.support.batches import Recorder, consumer, publish_visits

pytestmark = pytest.mark.integration


def test_a_running_consumer_acks_its_batches_at_once_and_nothing_comes_back(amqp_url):
    bus = Bus(amqp_url, exchange=f"gwh.test.{uuid.uuid4().hex[:8]}", retry_backoff=0.0)
    recorder = Recorder()
    worker = consumer(bus, recorder, batch_size=16)
    try:
        sent = publish_visits(bus, 60)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        try:
            assert wait_for(lambda: worker.handled == 60, timeout=30)
        finally:
            worker.stop()
            thread.join(10)
        assert sorted(i for b in recorder.batches for i in b) == sorted(sent)
        assert max(len(b) for b in recorder.batches) > 1
        # The connection is closed: anything not acked would be back on the queue now.
        assert wait_for(lambda: bus.queue_depth("notes", ["shop.visited"]) == (0, 0), timeout=10)
        again = Recorder()
        assert consumer(bus, again).pump() == 0
    finally:
        bus.delete(["notes"])
        bus.close()
