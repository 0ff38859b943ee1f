"""parse_event checks the common envelope by hand (shared/events._plain_envelope) and
leaves everything else to the schema: both must come to the same Event, and what the
schema refuses stays refused."""
import pytest

from shared.events import InvalidEvent, _ENVELOPE, _plain_envelope, make_event, parse_event


def visit() -> dict:
    return make_event("shop.visited", {"visit_id": "v1", "shop_id": "s1", "visitor": "x"}, "shop").to_dict()


def test_the_hand_check_loads_what_the_schema_loads():
    body = visit()
    by_schema = _ENVELOPE.load(body)
    by_schema["id"] = str(by_schema["id"])
    assert _plain_envelope(body) == by_schema


@pytest.mark.parametrize("change", [
    {"id": "NOT-A-UUID"}, {"version": 0}, {"version": True}, {"type": "shop.unknown"},
    {"occurred_at": "2026-12-03"}, {"occurred_at": "2026-12-03T10:00:00"}, {"producer": ""},
    {"correlation_id": 5}, {"data": []}, {"extra": 1},
])
def test_anything_else_goes_to_the_schema_and_a_bad_envelope_is_refused(change):
    body = {**visit(), **change}
    assert _plain_envelope(body) is None
    with pytest.raises(InvalidEvent):
        parse_event(body)


@pytest.mark.parametrize("version", ["1"])
def test_a_version_the_schema_may_coerce_is_left_to_the_schema(version):
    body = {**visit(), "version": version}
    assert _plain_envelope(body) is None
    assert parse_event(body).version == 1


def test_an_upper_case_id_is_still_accepted_by_the_schema():
    body = visit()
    body["id"] = body["id"].upper()
    assert parse_event(body).id == body["id"].lower()
