"""The fast path of event validation (shared/event_checks.py) answers what marshmallow does.

For every event type of the catalogue, data is generated from the type's own schema: valid
data must take the fast path and come out exactly as marshmallow loads it; data of any
shape (wrong types, None, missing and unknown fields, out-of-range numbers, lists of bad
items) must either come out as marshmallow loads it or be left to marshmallow, and never
pass where marshmallow refuses it.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate

from shared.event_checks import compile_schema
from shared.events import _SCHEMAS, CATALOGUE, InvalidEvent, validate_data

CHECKS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _rules(field: fields.Field, kind: type) -> validate.Validator | None:
    return next((v for v in field.validators if isinstance(v, kind)), None)


def valid_value(field: fields.Field) -> st.SearchStrategy:
    """Values the field accepts, of the JSON type a producer sends."""
    one_of, length, bounds = (_rules(field, validate.OneOf), _rules(field, validate.Length),
                              _rules(field, validate.Range))
    if isinstance(field, fields.String):
        if one_of is not None:
            return st.sampled_from(list(one_of.choices))
        low = (length.min or 0) if length else 0
        high = (length.max if length and length.max is not None else 20)
        return st.text(min_size=low, max_size=high)
    if isinstance(field, fields.Integer):
        low = bounds.min if bounds and bounds.min is not None else -1000
        high = bounds.max if bounds and bounds.max is not None else 10**12
        return st.integers(low, high)
    if isinstance(field, fields.Boolean):
        return st.booleans()
    if isinstance(field, fields.List):
        if length is not None and length.equal is not None:
            return st.lists(valid_value(field.inner), min_size=length.equal, max_size=length.equal)
        low = (length.min or 0) if length else 0
        return st.lists(valid_value(field.inner), min_size=low, max_size=low + 3)
    if isinstance(field, fields.Nested):
        return valid_data(field.schema)
    raise AssertionError(f"no strategy for {field!r}")


def valid_data(schema: Schema) -> st.SearchStrategy:
    required = {name: valid_value(f) for name, f in schema.load_fields.items() if f.required}
    optional = {name: valid_value(f) for name, f in schema.load_fields.items() if not f.required}
    return st.fixed_dictionaries(required, optional=optional)


ODD = st.sampled_from([None, "5", 5.0, True, False, 0, -1, 5001, "", "x" * 65, [], {}, ["a"], [{}]])


def any_value(field: fields.Field) -> st.SearchStrategy:
    """A valid value, or one of a wrong type, out of range or empty."""
    if isinstance(field, fields.List):
        return st.one_of(st.lists(any_value(field.inner), max_size=3), ODD)
    if isinstance(field, fields.Nested):
        return st.one_of(any_data(field.schema), ODD)
    return st.one_of(valid_value(field), ODD)


def any_data(schema: Schema) -> st.SearchStrategy:
    known = {name: any_value(f) for name, f in schema.load_fields.items()}
    unknown = st.dictionaries(st.sampled_from(["extra", "added_later"]), st.one_of(st.integers(), st.text()),
                              max_size=2)
    return st.tuples(st.fixed_dictionaries({}, optional=known), unknown).map(lambda parts: {**parts[1], **parts[0]})


def marshmallow_load(schema: Schema, data):
    try:
        return schema.load(data)
    except ValidationError:
        return ValidationError


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_every_schema_has_a_fast_path(event_type):
    assert compile_schema(_SCHEMAS[event_type]) is not None


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_valid_data_takes_the_fast_path_and_loads_as_marshmallow_does(event_type):
    schema = _SCHEMAS[event_type]
    check = compile_schema(schema)

    @CHECKS
    @given(data=valid_data(schema))
    def same(data):
        loaded = check(data)
        assert loaded is not None, f"{data} was left to marshmallow"
        assert loaded == schema.load(data)

    same()


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_any_data_is_answered_as_marshmallow_does_or_left_to_it(event_type):
    schema = _SCHEMAS[event_type]
    check = compile_schema(schema)

    @CHECKS
    @given(data=any_data(schema))
    def same(data):
        loaded = check(data)
        expected = marshmallow_load(schema, data)
        if loaded is not None:
            assert expected is not ValidationError, f"{data} passed the fast path; marshmallow refuses it"
            assert loaded == expected
        # validate_data answers the same either way: the loaded data, or InvalidEvent.
        if expected is ValidationError:
            with pytest.raises(InvalidEvent):
                validate_data(event_type, data)
        else:
            assert validate_data(event_type, data) == expected

    same()


def test_what_the_fast_path_leaves_to_marshmallow():
    check = compile_schema(_SCHEMAS["order.paid"])
    paid = {"order_id": "o1", "buyer_id": "b", "shop_id": "s", "items": [], "total_cents": 12, "commission_cents": 0}
    assert check(paid) == paid
    # A number as a string is converted by marshmallow, not refused: its answer stands.
    assert check({**paid, "total_cents": "12"}) is None
    assert validate_data("order.paid", {**paid, "total_cents": "12"})["total_cents"] == 12
    # A missing required field or a value out of range: marshmallow names the error.
    assert check({**paid, "total_cents": -1}) is None and check({k: v for k, v in paid.items() if k != "order_id"}) is None
    with pytest.raises(InvalidEvent, match="total_cents"):
        validate_data("order.paid", {**paid, "total_cents": -1})


def test_a_schema_with_a_hook_or_an_unknown_field_kind_keeps_marshmallow():
    from marshmallow import pre_load

    class Hooked(Schema):
        name = fields.String()

        @pre_load
        def strip(self, data, **kwargs):
            return data

    class Timed(Schema):
        at = fields.DateTime()

    assert compile_schema(Hooked()) is None
    assert compile_schema(Timed()) is None
