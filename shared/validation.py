"""Field types every service's schemas use: trimmed text and real http(s) URLs."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from shared.clock import iso


# What the OpenAPI documents is exactly what is accepted, so a client (or a fuzzer) that
# follows the document is never refused, and one that does not is always refused.
# White space spelled out: Python's str.strip(), ECMA-262 and the JSON Schema validators each
# read `\s` differently, so a pattern says exactly which characters it means.
WHITE_SPACE = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_PATTERN = rf"^[^\x00]*[^{WHITE_SPACE}\x00][^\x00]*$"
URL_PATTERN = (r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
               rf"(?:[/?#][^{WHITE_SPACE}\x00]*)?$")
# fullmatch, not match: Python's `$` also matches before a final newline.
_URL = re.compile(URL_PATTERN[1:-1])


class Text(fields.String):
    """A name-like string: trimmed of surrounding white space, never blank.

    The OpenAPI document says so (`pattern: \\S`), so clients and fuzzers know a blank
    name is refused."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": TEXT_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        # The documented maxLength counts what the client sent, so check it before trimming.
        for validator in self.validators:
            if isinstance(validator, validate.Length) and validator.max is not None and len(raw) > validator.max:
                raise ValidationError(f"must be at most {validator.max} characters")
        text = raw.strip()
        if not text:
            raise ValidationError("must not be blank")
        if "\x00" in text:
            raise ValidationError("must not contain NUL characters")
        return text


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
