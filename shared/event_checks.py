"""A fast path for checking an event's data against its schema (shared/events.py).

Every event is validated twice, by its producer before the outbox and by each consumer on
arrival, and marshmallow's load was a sixth of an event's trip through the outbox, the
relay and the inbox in the profile of `make bench` (it builds an error store, a getter and
a deserialize call per field). The data this platform sends is plain JSON: strings,
integers, booleans, lists of small objects. So each catalogue schema is translated once
into a check that accepts exactly such data and answers what `schema.load` would.

Anything the check is not sure of it leaves to marshmallow: a value of another type (an
integer sent as "5", which marshmallow converts), a missing required field, a value a
validator refuses. marshmallow then loads it or names the error, as before. A schema the
translation does not understand (a hook, a field kind or validator not listed here) gets
no fast path at all. tests/unit/shared/test_event_checks.py holds the two to the same
answers.
"""
from __future__ import annotations

from typing import Any, Callable

from marshmallow import INCLUDE, RAISE, Schema, fields, missing, validate

# A check answers the loaded data, or None for "ask marshmallow".
Check = Callable[[Any], Any]
_UNSURE = object()


class Untranslatable(Exception):
    """A schema or field this module does not translate; the schema keeps marshmallow."""


def compile_schema(schema: Schema) -> Callable[[Any], dict | None] | None:
    """A check for `schema.load`, or None when the schema cannot be translated."""
    try:
        check = _schema_check(schema)
    except Untranslatable:
        return None

    def checked(data: Any) -> dict | None:
        loaded = check(data)
        return None if loaded is _UNSURE else loaded

    return checked


def _schema_check(schema: Schema) -> Check:
    if any(schema._hooks.values()) or schema.many or schema.unknown not in (INCLUDE, RAISE):
        raise Untranslatable(f"{type(schema).__name__}: hooks, many or an unknown policy")
    plan = []
    for name, field in schema.load_fields.items():
        if field.data_key is not None or field.attribute is not None:
            raise Untranslatable(f"{name}: a data key or attribute")
        plan.append((name, field.required, field.load_default, field.allow_none, _field_check(field)))
    names = frozenset(name for name, *_ in plan)
    keep_unknown = schema.unknown == INCLUDE

    def check(data: Any) -> Any:
        if type(data) is not dict:
            return _UNSURE
        loaded = {}
        for name, required, default, allow_none, check_value in plan:
            value = data.get(name, missing)
            if value is missing:
                if required:
                    return _UNSURE
                if default is not missing:
                    loaded[name] = default() if callable(default) else default
                continue
            if value is None:
                if not allow_none:
                    return _UNSURE
                loaded[name] = None
                continue
            value = check_value(value)
            if value is _UNSURE:
                return _UNSURE
            loaded[name] = value
        if not data.keys() <= names:
            # Fields the schema does not name: kept as they are (INCLUDE), so a producer
            # can add one without breaking older consumers; refused otherwise.
            if not keep_unknown:
                return _UNSURE
            for key in data.keys() - names:
                loaded[key] = data[key]
        return loaded

    return check


def _field_check(field: fields.Field) -> Check:
    valid = _validators(field)
    if type(field) is fields.String:
        kind: Check = lambda value: value if type(value) is str else _UNSURE  # noqa: E731
    elif type(field) is fields.Integer:
        # type() is int: True and False are no integers to marshmallow, and "5" or 5.0
        # are converted by it, so they are its to judge.
        kind = lambda value: value if type(value) is int else _UNSURE  # noqa: E731
    elif type(field) is fields.Boolean:
        kind = lambda value: value if type(value) is bool else _UNSURE  # noqa: E731
    elif type(field) is fields.List:
        inner = _element_check(field.inner)
        kind = lambda value: _each(value, inner) if type(value) is list else _UNSURE  # noqa: E731
    elif type(field) is fields.Nested:
        kind = _nested_check(field)
    else:
        raise Untranslatable(f"a {type(field).__name__} field")
    if not valid:
        return kind

    def checked(value: Any) -> Any:
        value = kind(value)
        return value if value is _UNSURE or valid(value) else _UNSURE

    return checked


def _element_check(field: fields.Field) -> Check:
    """A list's element: None is its own question there (allow_none of the inner field)."""
    check = _field_check(field)
    allow_none = field.allow_none
    return lambda value: (None if allow_none else _UNSURE) if value is None else check(value)  # noqa: E731


def _nested_check(field: fields.Nested) -> Check:
    if field.many or field.unknown is not None or field.only or field.exclude:
        raise Untranslatable("a nested field with many, unknown, only or exclude")
    schema = field.schema
    if getattr(schema, "only", None) or getattr(schema, "exclude", None):
        raise Untranslatable("a nested schema with only or exclude")
    return _schema_check(schema)


def _each(values: list, check: Check) -> Any:
    loaded = []
    for value in values:
        value = check(value)
        if value is _UNSURE:
            return _UNSURE
        loaded.append(value)
    return loaded


def _validators(field: fields.Field) -> Callable[[Any], bool] | None:
    rules = [_rule(v) for v in field.validators]
    if not rules:
        return None
    return lambda value: all(rule(value) for rule in rules)


def _rule(validator: Any) -> Callable[[Any], bool]:
    if type(validator) is validate.Range:
        low, high = validator.min, validator.max
        low_in, high_in = validator.min_inclusive, validator.max_inclusive

        def in_range(value):
            if low is not None and (value < low if low_in else value <= low):
                return False
            return high is None or (value <= high if high_in else value < high)

        return in_range
    if type(validator) is validate.Length:
        low, high, equal = validator.min, validator.max, validator.equal
        if equal is not None:
            return lambda value: len(value) == equal
        return lambda value: (low is None or len(value) >= low) and (high is None or len(value) <= high)
    if type(validator) is validate.OneOf:
        choices = validator.choices
        return lambda value: value in choices
    raise Untranslatable(f"a {type(validator).__name__} validator")
