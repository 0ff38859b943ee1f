"""The read-through client over HTTP, as the cluster mode uses it (GWH_<SERVICE>_URL): the
owner's JSON, None for its 404, and OwnerUnavailable (a 503 problem) when it cannot say:
unreachable, too slow, or failing."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.failures import Unavailable
from shared.owners import OwnerUnavailable, Owners

SERVICES = ("catalog",)


@Request.application
def catalog(request):
    if request.path == "/api/catalog/products/tea":
        return Response('{"id": "tea", "status": "listed", "revision": 3}', mimetype="application/json")
    if request.path == "/api/catalog/products/slow":
        time.sleep(1.0)
        return Response("{}", mimetype="application/json")
    if request.path == "/api/catalog/products/broken":
        return Response("oops", status=500)
    return Response('{"status": 404}', status=404, mimetype="application/problem+json")


@pytest.fixture
def served():
    server = make_server("127.0.0.1", 0, catalog, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_owners_answer_over_http(served):
    owners = Owners({"catalog": served + "/"}, timeout=0.3)
    assert owners.product("tea") == {"id": "tea", "status": "listed", "revision": 3}
    assert owners.product("nothing-here") is None


@pytest.mark.parametrize("product", ["slow", "broken"])
def test_an_owner_too_slow_or_failing_cannot_say(served, product):
    owners = Owners({"catalog": served}, timeout=0.3)
    with pytest.raises(OwnerUnavailable) as caught:
        owners.product(product)
    assert isinstance(caught.value, Unavailable) and caught.value.extra["retry_after"] == 1


def test_an_owner_nobody_listens_for_cannot_say():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OwnerUnavailable):
        Owners({"catalog": f"http://127.0.0.1:{port}"}, timeout=0.3).product("tea")
    with pytest.raises(OwnerUnavailable):
        Owners({}).product("tea")                            # and one nobody said where to find


def test_an_in_process_owner_comes_before_any_url(served):
    owners = Owners({"catalog": "http://127.0.0.1:9/never"})
    owners.attach_local({"catalog": catalog})
    assert owners.product("tea")["revision"] == 3


@pytest.mark.parametrize("odd", ["nul\x00here", "lone\ud9c3surrogate", "a/b?c#d", "%00"])
def test_an_id_no_owner_can_hold_is_unknown_not_a_failure(platform, odd):
    owners = Owners()
    owners.attach_local({"catalog": platform["catalog"].app})       # the real catalog, in-process
    assert owners.product(odd) is None
    assert owners.brand(odd) is None
