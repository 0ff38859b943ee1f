"""Field types every service's schemas use: display text, real http(s) URLs, 64-bit
integers and strict booleans."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from shared.bodies import INT64_MAX, INT64_MIN
from shared.clock import iso
from shared.text import FORBIDDEN_LINE, FORBIDDEN_MULTILINE, display_error, normalized


# What the OpenAPI documents is exactly what is accepted, so a client (or a fuzzer) that
# follows the document is never refused, and one that does not is always refused.
# White space spelled out: Python's str.strip(), ECMA-262 and the JSON Schema validators each
# read `\s` differently, so a pattern says exactly which characters it means.
WHITE_SPACE = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Display text (shared.text): no control or bidi formatting characters anywhere, and
# something besides white space.
TEXT_PATTERN = rf"^[^{FORBIDDEN_LINE}]*[^{WHITE_SPACE}{FORBIDDEN_LINE}][^{FORBIDDEN_LINE}]*$"
FREE_TEXT_PATTERN = rf"^[^{FORBIDDEN_MULTILINE}]*$"
URL_PATTERN = (r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
               rf"(?:[/?#][^{WHITE_SPACE}\x00]*)?$")
# fullmatch, not match: Python's `$` also matches before a final newline.
_URL = re.compile(URL_PATTERN[1:-1])


def _max_length(field: fields.Field) -> int | None:
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
    return None


class Text(fields.String):
    """A name others see: trimmed of surrounding white space, never blank, no control or
    bidi formatting characters (shared.text), stored in NFC.

    The OpenAPI document says so (its pattern), so clients and fuzzers know what is refused."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": TEXT_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        # The documented maxLength counts what the client sent, so check it before trimming.
        limit = _max_length(self)
        if limit is not None and len(raw) > limit:
            raise ValidationError(f"must be at most {limit} characters")
        if error := display_error(raw):
            raise ValidationError(error)
        text = normalized(raw.strip())
        if not text:
            raise ValidationError("must not be blank")
        if limit is not None and len(text) > limit:  # NFC lengthens a handful of characters
            raise ValidationError(f"must be at most {limit} characters once normalized (NFC)")
        return text


class FreeText(fields.String):
    """Text with lines others see (a description, a reason): may be empty, newlines
    allowed, no other control or bidi formatting character; stored in NFC."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": FREE_TEXT_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        if error := display_error(raw, multiline=True):
            raise ValidationError(error)
        text = normalized(raw)
        limit = _max_length(self)
        if limit is not None and len(text) > limit:
            raise ValidationError(f"must be at most {limit} characters once normalized (NFC)")
        return text


class QueryText(fields.String):
    """Free text in a query string (a search, a filter): anything but NUL, which every
    service refuses in a query (400) and the document therefore excludes."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": "^[^\\x00]*$", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)


class Integer(fields.Integer):
    """An integer a 64-bit column holds; the bound is checked and documented, on top of
    any tighter Range the field declares. (A body's integers are bounded by the parser
    already, shared.bodies; this bounds queries and headers too.)"""

    def __init__(self, **kwargs):
        given = kwargs.pop("validate", None)
        validators = [] if given is None else list(given) if isinstance(given, (list, tuple)) else [given]
        super().__init__(validate=[*validators, validate.Range(min=INT64_MIN, max=INT64_MAX)], **kwargs)

    def _validated(self, value):
        # int() of a 5,000-digit string raises before any Range could look at it.
        if isinstance(value, str) and len(value.strip()) > 20:
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class Boolean(fields.Boolean):
    """true or false, nothing else: "yes", 1 or "false" would be a guess at what was meant."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class HttpUrl(fields.String):
    """An absolute http(s) URL with a host, at most 500 characters (documented as such)."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"format": "uri", "pattern": URL_PATTERN, "maxLength": 500,
                              **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 500:
            raise ValidationError("must be at most 500 characters")
        if not _URL.fullmatch(text):
            raise ValidationError("must be an http(s) URL with a host name, e.g. https://cdn.example.com/a.png")
        return text


class Moment(fields.AwareDateTime):
    """A UTC time written as ISO 8601 with a Z: the contract's one time format, everywhere."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)
