"""The fast path of presenting an answer (shared/dumps.py) answers what marshmallow dumps.

For every response schema of every service, data is generated from the schema's own fields:
well-typed data (what the views hand over) must take the fast path and come out exactly as
marshmallow dumps it; data of any other shape (a wrong type, None, a missing or an unknown
key, a list holding None) must come out the same or fail the same way, whichever path it
takes.
"""
from __future__ import annotations

import importlib
import inspect
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields

from shared import dumps
from shared.validation import Moment

CHECKS = settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
MODULES = ["services.catalog.schemas", "services.shop.schemas", "services.order.schemas",
           "services.ranking.schemas", "shared.history", "shared.http"]


def response_schemas() -> list[type[Schema]]:
    found = {}
    for name in MODULES:
        for _, value in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            # Pages made by shared.http.page_schema say marshmallow is their module.
            if issubclass(value, Schema) and value is not Schema:
                found[id(value)] = value
    return sorted(found.values(), key=lambda s: (s.__module__, s.__qualname__, s.__name__))


def _translatable(schema: Schema) -> bool:
    try:
        dumps._schema_dumper(schema)
    except dumps.Untranslatable:
        return False
    return True


SCHEMAS = response_schemas()
TRANSLATED = [s for s in SCHEMAS if _translatable(s())]
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=8))]))


def typed_value(field: fields.Field) -> st.SearchStrategy:
    """A value of the Python type a view hands over for this field (or None)."""
    if isinstance(field, Moment):
        kind = MOMENTS
    elif isinstance(field, fields.String):
        kind = st.text(max_size=10)
    elif isinstance(field, fields.Boolean):
        kind = st.booleans()
    elif isinstance(field, fields.Integer):
        kind = st.integers(-10**15, 10**15)
    elif isinstance(field, fields.List):
        kind = st.lists(typed_value(field.inner).filter(lambda v: v is not None), max_size=3)
    elif isinstance(field, fields.Nested):
        inner = typed_data(field.schema)
        kind = st.lists(inner, max_size=3) if field.many else inner
    elif isinstance(field, fields.Dict):
        kind = st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)
    else:
        kind = st.one_of(st.integers(), st.text(max_size=5), st.none())
    return st.one_of(st.none(), kind) if field.allow_none else kind


def typed_data(schema: Schema) -> st.SearchStrategy:
    return st.fixed_dictionaries({name: typed_value(f) for name, f in schema.dump_fields.items()})


ODD = [None, "5", 5, 0, 5.0, True, "x", [], [None], {}, datetime(2026, 1, 1)]


def variants(schema: Schema, data: dict):
    """Well-typed data with one thing changed: each key retyped to each odd value, each key
    dropped, an unknown key added, and the data as an object instead of a dict."""
    for name in schema.dump_fields:
        for value in ODD:
            yield {**data, name: value}
        yield {key: value for key, value in data.items() if key != name}
    yield {**data, "not_in_the_schema": 1}
    yield type("Plain", (), dict(data))()


def as_sent(dumped) -> str:
    """What the client receives: JSON tells True from 1 and 5.0 from 5, == does not."""
    return json.dumps(dumped, default=repr)


def outcome(dump, data):
    try:
        return "ok", as_sent(dump(data))
    except Exception as error:  # the same failure on both paths is the same answer
        return "raised", type(error)


def test_the_schemas_views_present_are_translated():
    names = {s.__name__ for s in TRANSLATED}
    assert {"Product", "ProductPage", "ShopPage", "Order", "OrderPage", "Member"} <= names
    assert len(TRANSLATED) >= 20


@pytest.mark.parametrize("schema_class", TRANSLATED, ids=lambda s: s.__name__)
@CHECKS
@given(data=st.data())
def test_typed_data_takes_the_fast_path_and_dumps_as_marshmallow_does(schema_class, data):
    schema = schema_class()
    obj = data.draw(typed_data(schema))
    fast = dumps._schema_dumper(schema)(obj)
    assert fast is not dumps._UNSURE, obj
    assert as_sent(fast) == as_sent(schema.dump(obj))  # key order included: the same bytes


@pytest.mark.parametrize("schema_class", TRANSLATED, ids=lambda s: s.__name__)
@settings(CHECKS, max_examples=15)
@given(data=st.data())
def test_any_other_shape_is_dumped_as_marshmallow_does(schema_class, data):
    schema = schema_class()
    fast = dumps.fast_dump(schema)
    for obj in variants(schema, data.draw(typed_data(schema))):
        assert outcome(fast, obj) == outcome(schema.dump, obj), obj


def test_a_schema_with_a_hook_keeps_marshmallow():
    from marshmallow import post_dump

    class Shouting(Schema):
        name = fields.String()

        @post_dump
        def shout(self, data, **kwargs):
            return {key: value.upper() for key, value in data.items()}

    schema = Shouting()
    assert not _translatable(schema)
    assert dumps.fast_dump(schema)({"name": "tea"}) == {"name": "TEA"}


def test_a_wrong_type_is_left_to_marshmallow_which_converts_it():
    class Counted(Schema):
        count = fields.Integer()
        label = fields.String()

    dump = dumps.fast_dump(Counted())
    assert dumps._schema_dumper(Counted())({"count": True, "label": "a"}) is dumps._UNSURE
    assert dump({"count": True, "label": 5}) == {"count": 1, "label": "5"}
    assert dump({"label": "a"}) == {"label": "a"}  # a missing key stays missing
