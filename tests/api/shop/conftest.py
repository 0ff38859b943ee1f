"""A small world for the shop's API and event-flow tests: members who register through the
API, brands and products made through the real catalog service, and events from services
that are not running here (order, ranking) published on the bus as they would be."""
from __future__ import annotations


import pytest

from tests.conftest import bearer

from tests.support.shop_world import FAST, World


@pytest.fixture
def world(platform, client, admin) -> World:
    assert platform["shop"].context.passwords is FAST, "the module needs ADAPTERS = SHOP_ADAPTERS"
    return World(platform, client, admin)


@pytest.fixture
def stranger() -> dict:
    """A valid token for a member this shop service has never heard of."""
    return bearer("nobody-here")
