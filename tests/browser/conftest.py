from __future__ import annotations

import os

import pytest

from tests.browser.support import chromium, chromium_missing_reason
from tests.support.live_platform import LivePlatform


@pytest.fixture(scope="session")
def browser():
    reason = chromium_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def live():
    """A real server (demo data off: each test makes what it needs through the API or the UI)."""
    platform = LivePlatform(admin_username="admin", admin_password="admin-password-1")
    yield platform
    platform.stop()
