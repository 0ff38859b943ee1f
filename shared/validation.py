"""Field types every service's schemas use: trimmed text and real http(s) URLs."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields

from shared.clock import iso


# What the OpenAPI documents is exactly what is accepted, so a client (or a fuzzer) that
# follows the document is never refused, and one that does not is always refused.
TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
URL_PATTERN = r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:[/?#][^\s]*)?$"
_URL = re.compile(URL_PATTERN)


class Text(fields.String):
    """A name-like string: trimmed of surrounding white space, never blank.

    The OpenAPI document says so (`pattern: \\S`), so clients and fuzzers know a blank
    name is refused."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": TEXT_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        text = text.strip()
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
        if not _URL.match(text):
            raise ValidationError("must be an http(s) URL with a host name, e.g. https://cdn.example.com/a.png")
        return text


class Moment(fields.AwareDateTime):
    """A UTC time written as ISO 8601 with a Z: the contract's one time format, everywhere."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)
