"""Field types every service's schemas use: trimmed text and real http(s) URLs."""
from __future__ import annotations

from urllib.parse import urlsplit

from marshmallow import ValidationError, fields

from shared.clock import iso


class Text(fields.String):
    """A string trimmed of surrounding white space; blank is refused if a length is required."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        text = text.strip()
        if "\x00" in text:
            raise ValidationError("must not contain NUL characters")
        return text


class HttpUrl(fields.String):
    """An absolute http(s) URL with a host, at most 500 characters."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(text) > 500:
            raise ValidationError("must be at most 500 characters")
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:  # e.g. "http://[::1": an unbalanced IPv6 bracket
            raise ValidationError("must be an http(s) URL")
        if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in text):
            raise ValidationError("must be an http(s) URL")
        return text


class Moment(fields.AwareDateTime):
    """A UTC time written as ISO 8601 with a Z: the contract's one time format, everywhere."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)
