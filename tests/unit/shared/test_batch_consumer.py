"""The batch consumer (shared/batch.py) on kombu's in-memory transport: batches of what is
there, one failure handled the plain way, an outage puts the whole batch back."""
import threading

import pytest

from shared.bus import wait_for
from tests.support.batches import Recorder, consumer, publish_visits
from tests.support.buses import private_bus


@pytest.fixture
def bus():
    bus = private_bus(retry_backoff=0.0, max_attempts=2)
    yield bus
    bus.close()


def ready(bus) -> int:
    return bus.queue_depth("notes", ["shop.visited"])[0]


def test_what_waits_is_handled_in_batches_of_at_most_the_batch_size(bus):
    recorder = Recorder()
    worker = consumer(bus, recorder, batch_size=8)
    sent = publish_visits(bus, 20)
    assert worker.pump() == 20
    assert [len(b) for b in recorder.batches] == [8, 8, 4]
    assert [i for b in recorder.batches for i in b] == sent        # in queue order
    assert recorder.singles == []
    assert worker.handled == 20 and worker.batches == 3
    assert ready(bus) == 0                                        # every message acked


def test_an_invalid_envelope_is_dead_lettered_and_the_rest_go_as_one_batch(bus):
    recorder = Recorder()
    worker = consumer(bus, recorder)
    first = publish_visits(bus, 2)
    bus._publish_raw({"id": "nope", "type": "shop.visited"}, exchange=bus.exchange, routing_key="shop.visited")
    last = publish_visits(bus, 2)
    assert worker.pump() == 5
    assert recorder.batches == [first + last]
    assert worker.dead_lettered == 1 and worker.handled == 4
    assert bus.queue_depth("notes", [], dead=True)[0] == 1


def test_a_failing_batch_is_handled_again_one_by_one_so_only_the_guilty_event_is_retried(bus):
    recorder = Recorder()
    worker = consumer(bus, recorder)
    good = publish_visits(bus, 3)
    poison = publish_visits(bus, 1, visitor="poison")
    assert worker.pump(limit=4) == 4
    assert recorder.batches == []
    assert recorder.singles == good                     # each on its own, acked
    assert worker.handled == 3
    assert ready(bus) == 1                              # the poison, republished for attempt 2
    worker.pump()
    assert worker.dead_lettered == 1                    # max_attempts reached
    with bus.connect() as conn:
        message = bus.dead_letter_queue("notes")(conn.channel()).get(no_ack=True, accept=["json"])
        assert message.payload["data"]["visit_id"] == poison[0]


def test_a_store_outage_puts_the_whole_batch_back_without_counting_an_attempt(bus):
    recorder = Recorder(broken_store=True)
    worker = consumer(bus, recorder)
    publish_visits(bus, 5)
    assert worker.pump(limit=5) == 5
    assert worker.handled == 0 and worker.dead_lettered == 0
    assert ready(bus) == 5
    recorder.broken_store = False
    assert worker.pump() == 5
    assert worker.handled == 5 and len(recorder.batches) == 1


def test_a_running_consumer_takes_what_was_prefetched_as_batches(bus):
    recorder = Recorder()
    worker = consumer(bus, recorder, batch_size=16)
    sent = publish_visits(bus, 40)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: worker.handled == 40, timeout=20)
    finally:
        worker.stop()
        thread.join(5)
    assert sorted(i for b in recorder.batches for i in b) == sorted(sent)
    assert all(len(b) <= 16 for b in recorder.batches)
    assert len(recorder.batches) < 40                    # not one by one
    assert ready(bus) == 0
