"""The ranking alone on the embedded platform: a real embedded Redis, the in-memory bus."""
from __future__ import annotations

import pytest

from tests.support.ranking_events import Events


@pytest.fixture
def events(clock) -> Events:
    return Events(clock)


@pytest.fixture
def deliver(platform):
    """Publish events onto the bus and let the platform handle everything that follows."""
    def deliver(*evts):
        for evt in evts:
            platform.bus.publish(evt.to_dict())
        return platform.settle()
    return deliver


@pytest.fixture
def announcements(platform):
    """Every `ranking.influence.changed` published, collected by a probe queue of its own."""
    from shared.bus import Consumer
    seen = []
    platform.bus.declare({"probe": ["ranking.influence.changed"]})
    probe = Consumer(platform.bus, "probe", ["ranking.influence.changed"], seen.append)

    def collect():
        probe.pump()
        return seen
    return collect
