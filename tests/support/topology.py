"""Deleting a test platform's exchange and queues from the broker when it is done."""
from __future__ import annotations


def delete_topology(platform) -> None:
    bus = platform.bus
    with bus.connect() as conn:
        channel = conn.channel()
        for name, parts in platform.parts.items():
            if parts.consumer is not None:
                bus.queue_for(name, parts.consumer.event_types)(channel).delete()
                bus.dead_letter_queue(name)(channel).delete()
        bus.exchange(channel).delete()
        bus.dead_exchange(channel).delete()
