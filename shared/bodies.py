"""Reading a request body: JSON only, and numbers bounded where they are parsed.

Python's json.loads takes an integer of any length up to 4,300 digits and then raises a
plain ValueError (not a JSONDecodeError), which no parser upstream expects: a 500. Here
the parser itself refuses what no field of the platform can hold, whatever the schema
later says: an integer outside signed 64 bits (every integer column is at most BIGINT), a
number literal longer than any real one, NaN/Infinity (not JSON), nesting deeper than any
document of ours. Each is a 400 problem, like any other body that is not JSON.

`check_request_body` runs before every view of every service (shared.http): a body on
any request must be JSON (else 415), and must parse (else 400). Views then read it with
webargs or `request.get_json()` as before; both meet only bodies that passed here.
"""
from __future__ import annotations

import json
import math
from typing import Any

from flask import Request
from flask.json.provider import DefaultJSONProvider
from webargs.core import is_json

from shared.failures import BadRequest, UnsupportedMediaType

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
# "-9223372036854775808" is 20 characters; a float literal of a real price or rate is short.
_MAX_INT_LITERAL = 20
_MAX_FLOAT_LITERAL = 40
MAX_DEPTH = 32


class _Refused(ValueError):
    """A number (or constant) the parser refuses; says why in the problem's detail."""


def _bounded_int(literal: str) -> int:
    if len(literal) > _MAX_INT_LITERAL:
        raise _Refused("an integer in the body is out of range (signed 64 bits)")
    value = int(literal)
    if not INT64_MIN <= value <= INT64_MAX:
        raise _Refused("an integer in the body is out of range (signed 64 bits)")
    return value


def _bounded_float(literal: str) -> float:
    if len(literal) > _MAX_FLOAT_LITERAL:
        raise _Refused("a number in the body is too long")
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused("a number in the body is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not JSON")


def _depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deep containers nest, stopping as soon as `limit` is passed."""
    stack, deepest = [(value, 1)], 0
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children)
    return deepest


def loads(text: str | bytes) -> Any:
    """json.loads with bounded numbers; raises BadRequest (400) for anything not accepted."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the body is not valid UTF-8")
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except _Refused as refused:
        raise BadRequest(str(refused))
    except RecursionError:
        raise BadRequest("the body nests too deeply")
    except ValueError:  # JSONDecodeError, and whatever else json refuses
        raise BadRequest("the body is not valid JSON")
    if _depth(value) > MAX_DEPTH:
        raise BadRequest("the body nests too deeply")
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading with the bounded parser (request.get_json and friends)."""

    def loads(self, s, **kwargs):
        return loads(s)


def check_request_body(request: Request) -> None:
    """Before any view: a body must be JSON (415 otherwise) that parses (400 otherwise)."""
    data = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: Werkzeug's 413
    if not data:
        return
    if not is_json(request.mimetype):
        raise UnsupportedMediaType(f"the body must be application/json, not {request.mimetype or 'untyped'}")
    loads(data)
