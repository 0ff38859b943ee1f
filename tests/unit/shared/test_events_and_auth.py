"""The event envelope, the catalogue's validation, and token verification."""
import json
import uuid
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from shared.auth import issue_token, verify_token
from shared.principal import Principal
from shared.failures import Unauthorized
from shared.events import InvalidEvent, make_event, parse_event

SECRET = "s" * 40


def test_an_event_round_trips_through_json():
    evt = make_event("shop.featured.added", {"member_id": "m1", "product_id": "p1"}, "shop")
    back = parse_event(json.loads(json.dumps(evt.to_dict())))
    assert back == evt
    assert back.version == 1 and back.producer == "shop"


def test_bad_data_never_reaches_the_outbox():
    with pytest.raises(InvalidEvent):
        make_event("shop.featured.added", {"member_id": "m1"}, "shop")
    with pytest.raises(InvalidEvent):
        make_event("ranking.influence.changed", {"member_id": "m", "score": -1, "tier": 1, "slots": 4}, "ranking")
    with pytest.raises(InvalidEvent):
        make_event("no.such.type", {}, "shop")


@pytest.mark.parametrize("body", [
    None, [], "text",
    {"id": "not-a-uuid", "type": "shop.visited", "version": 1, "occurred_at": "2026-01-01T00:00:00Z",
     "producer": "shop", "data": {}},
    {"id": str(uuid.uuid4()), "type": "shop.visited", "version": 1, "occurred_at": "2026-01-01T00:00:00",
     "producer": "shop", "data": {"visit_id": "v", "shop_id": "s", "visitor": "x"}},  # naive time
    {"id": str(uuid.uuid4()), "type": "shop.visited", "version": 1, "occurred_at": "2026-01-01T00:00:00Z",
     "producer": "shop", "data": {"visit_id": "v"}},  # data missing fields
])
def test_malformed_envelopes_are_invalid(body):
    with pytest.raises(InvalidEvent):
        parse_event(body)


def test_unknown_data_fields_are_kept_for_newer_producers():
    evt = make_event("shop.featured.added", {"member_id": "m1", "product_id": "p1", "slot": 3}, "shop")
    assert parse_event(evt.to_dict()).data["slot"] == 3


def test_a_token_carries_the_principal():
    token = issue_token(SECRET, Principal("m1", ("merchant",), brand_id="b1"))
    assert verify_token(SECRET, token) == Principal("m1", ("merchant",), brand_id="b1")


def test_expired_forged_and_unsigned_tokens_are_refused():
    past = datetime.now(timezone.utc) - timedelta(days=2)
    expired = issue_token(SECRET, Principal("m1"), ttl_seconds=60, now=past)
    forged = issue_token("another-secret-" + "x" * 30, Principal("m1", ("admin",)))
    claims = {"iss": "gouwuhao", "sub": "m1", "roles": ["admin"], "iat": 0, "exp": 4102444800}
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    bad_role = jwt.encode({**claims, "roles": ["root"]}, SECRET, algorithm="HS256")
    for token in (expired, forged, unsigned, bad_role, "not.a.token", ""):
        with pytest.raises(Unauthorized):
            verify_token(SECRET, token)


def test_the_rate_limit_counters_live_where_every_api_process_sees_them():
    from shared.clients import storage_url
    from shared.config import Config
    assert storage_url(Config()) == "memory://"                                  # embedded: one process
    assert storage_url(Config(redis_url="redis://r:6379/0")) == "redis://r:6379/0"
    assert storage_url(Config(redis_url="redis://:pw@r:7000/0", redis_cluster=True)) == "redis+cluster://:pw@r:7000"
    assert storage_url(Config(redis_url="redis://r:6379/0", ratelimit_storage_url="memory://")) == "memory://"
