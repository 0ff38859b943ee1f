"""A bus of a test's own. Kombu's in-memory transport keeps its queues for the whole
process, so each test's bus publishes to an exchange no other test uses."""
from __future__ import annotations

import uuid

from shared.bus import Bus


def private_bus(url: str = "memory://", **options) -> Bus:
    return Bus(url, exchange=f"gwh.test.{uuid.uuid4().hex[:8]}", **options)
