"""`make demo`: the traffic simulator, against a real server with the small demo data."""
from __future__ import annotations

import random

import pytest

from runtime.demo import SMALL, seed
from runtime.simulate import Gateway, Simulator, main
from tests.support.live_platform import LivePlatform


@pytest.fixture(scope="module")
def live():
    platform = LivePlatform()
    seed(platform.platform, scale=SMALL)
    yield platform
    platform.stop()


def test_it_moves_the_platform_and_stops_by_itself(live, capsys):
    before = live.api("get", "/api/ranking/influence?limit=300")["items"]
    simulator = Simulator(Gateway(live.url), random.Random(5))
    simulator.run(minutes=1, actions=60)
    counts = simulator.counts
    assert counts["visits"] > 0 and counts["orders paid"] > 0, counts
    assert not [k for k in counts if k.startswith(("order 5", "visit 5", "unreachable"))], counts
    # Whatever it delisted it listed again before stopping.
    assert live.api("get", "/api/catalog/products?status=delisted")["total"] == 3  # the demo's own three
    after = live.api("get", "/api/ranking/influence?limit=300")["items"]
    assert after != before
    assert "TOP 3" in capsys.readouterr().out


def test_it_refuses_without_a_platform_or_with_an_unbounded_run():
    with pytest.raises(SystemExit, match="no platform answers"):
        main(["--url", "http://127.0.0.1:9", "--minutes", "0.1"])
    with pytest.raises(SystemExit):
        main(["--minutes", "0"])
