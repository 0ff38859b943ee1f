"""A fast path for presenting an answer with its response schema (flask-smorest's dump).

Every successful answer goes through `schema.dump`, and in the profile of a page of 20
products (`GET /api/catalog/products` on PostgreSQL) marshmallow's dump was a fifth of the
request: a getter, an accessor and a `_serialize` call for each of 18 fields of each
product. The views already hand it plain dicts of strings, integers, booleans, times and
lists, so each response schema is translated once into a function that copies such a dict
in the schema's field order and writes times the way `Moment` does.

Anything the fast path is not sure of it leaves to marshmallow: an object that is not a
dict, a missing key (marshmallow would use a default or leave the key out), a value of
another type (an int where a string is declared, which marshmallow converts). A schema the
translation does not understand (a hook, a custom accessor, a field kind or a `_serialize`
not listed here) gets no fast path at all. tests/unit/shared/test_dumps.py holds the two
to the same answers.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from marshmallow import Schema, fields

from shared.clock import iso
from shared.validation import Moment

# A dumper answers the dumped data, or _UNSURE for "ask marshmallow".
Dumper = Callable[[Any], Any]
_UNSURE = object()


class Untranslatable(Exception):
    """A schema or field this module does not translate; the schema keeps marshmallow."""


def fast_dump(schema: Schema) -> Callable[[Any], Any]:
    """`schema.dump`, with the fast path in front when the schema can be translated."""
    dump = type(schema).dump.__get__(schema)  # marshmallow's own, even if set before
    try:
        dumper = _schema_dumper(schema)
    except Untranslatable:
        return dump

    def dumped(obj: Any, *, many: bool | None = None) -> Any:
        if many is None:
            result = dumper(obj)
            if result is not _UNSURE:
                return result
        return dump(obj, many=many)

    return dumped


def _schema_dumper(schema: Schema) -> Dumper:
    if (any(schema._hooks.values()) or schema.many
            or type(schema).get_attribute is not Schema.get_attribute):
        raise Untranslatable(f"{type(schema).__name__}: hooks, many or its own accessor")
    plan = []
    for name, field in schema.dump_fields.items():
        if field.attribute is not None:
            raise Untranslatable(f"{name}: an attribute")
        plan.append((name, name if field.data_key is None else field.data_key, _field_dumper(field)))

    def dump(obj: Any) -> Any:
        if type(obj) is not dict:
            return _UNSURE
        out = {}
        for name, key, dump_value in plan:
            value = obj.get(name, _UNSURE)
            if value is _UNSURE:
                return _UNSURE  # marshmallow's dump_default, or no key at all
            if value is not None:  # every field kind here dumps None as None
                value = dump_value(value)
                if value is _UNSURE:
                    return _UNSURE
            out[key] = value
        return out

    return dump


def _same(base: type[fields.Field], field: fields.Field) -> bool:
    """The field serializes as `base` does (a subclass may change only its loading)."""
    return isinstance(field, base) and type(field)._serialize is base._serialize


def _field_dumper(field: fields.Field) -> Dumper:
    if _same(Moment, field):
        return lambda value: iso(value) if type(value) is datetime else _UNSURE
    if _same(fields.String, field):
        return lambda value: value if type(value) is str else _UNSURE
    if _same(fields.Integer, field) and not field.as_string:
        # type() is int: marshmallow would turn True into 1 and "5" into 5; those are its.
        return lambda value: value if type(value) is int else _UNSURE
    if _same(fields.Boolean, field):
        return lambda value: value if type(value) is bool else _UNSURE
    if type(field) is fields.Raw:
        return lambda value: value
    if type(field) is fields.Dict and field.key_field is None and field.value_field is None:
        return lambda value: dict(value) if type(value) is dict else _UNSURE
    if type(field) is fields.List:
        inner = _field_dumper(field.inner)
        return lambda value: _each(value, inner) if type(value) is list else _UNSURE
    if type(field) is fields.Nested:
        if field.only or field.exclude:
            raise Untranslatable("a nested field with only or exclude")
        schema = field.schema
        if getattr(schema, "only", None) or getattr(schema, "exclude", None):
            raise Untranslatable("a nested schema with only or exclude")
        nested = _schema_dumper(schema)
        if field.many:
            return lambda value: _each(value, nested) if type(value) is list else _UNSURE
        return nested
    raise Untranslatable(f"a {type(field).__name__} field")


def _each(values: list, dump: Dumper) -> Any:
    out = []
    for value in values:
        # A None element dumps differently by field kind (None in a List, {} in a
        # Nested(many=True)): marshmallow's to answer.
        value = _UNSURE if value is None else dump(value)
        if value is _UNSURE:
            return _UNSURE
        out.append(value)
    return out
