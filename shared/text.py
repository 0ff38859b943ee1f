"""Free text other people see (nicknames, bios, brand and product names, descriptions).

What one member types is drawn on another member's screen, so it must not steer that
screen: no control characters (a terminal escape like ESC[31m, a NUL, a carriage return
that hides what came before) and no bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE
makes "gpj.exe" read "exe.jpg"). Such text is refused (422), not cleaned, so the author
learns what was wrong. A newline is allowed where the text has lines (bios, descriptions).

Accepted text is normalized to NFC before it is compared or stored, so "é" typed as one
code point or as e + combining accent is one name, not two look-alike ones.

Pure Python: the domain rules and the schemas (shared.validation) both use it.
"""
from __future__ import annotations

import re
import unicodedata

# C0 controls but the newline, DEL, C1 controls; the Arabic letter mark, LRM/RLM, the line
# and paragraph separators, the embeddings/overrides U+202A-E and the isolates U+2066-9.
# As a character class body, for regexes and for the OpenAPI patterns alike.
_CONTROLS_BUT_NEWLINE = r"\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
FORBIDDEN_MULTILINE = _CONTROLS_BUT_NEWLINE
FORBIDDEN_LINE = _CONTROLS_BUT_NEWLINE + r"\x0a"

# The white space a name may start or end with (and that is trimmed): white space that is
# not also a control or a separator refused above.
TRIMMABLE = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"

_LINE = re.compile(f"[{FORBIDDEN_LINE}]")
_MULTILINE = re.compile(f"[{FORBIDDEN_MULTILINE}]")

MESSAGE_LINE = "must not contain control or bidirectional formatting characters"
MESSAGE_MULTILINE = "must not contain control or bidirectional formatting characters (a newline is fine)"


def display_error(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` may not be shown to others, or None."""
    if (_MULTILINE if multiline else _LINE).search(text):
        return MESSAGE_MULTILINE if multiline else MESSAGE_LINE
    return None


def normalized(text: str) -> str:
    return unicodedata.normalize("NFC", text)
