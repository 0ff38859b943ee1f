"""A reader for the YAML subset that deploy/ is written in, so that the tests need no PyYAML.

Supported: documents split by `---`; block mappings and block sequences (also a sequence
at its key's indentation); `- key: value` items; plain, "double" and 'single' quoted
scalars; flow sequences of scalars (`["CMD", "a, b"]`); `{}` and `[]`; literal blocks
(`|`, `|-`); comments. Plain scalars become bool (true/false), None (null, ~, empty), int, or
str. Anything else (anchors, tags, folded blocks, flow mappings, YAML 1.1's yes/no/on/off,
which Kubernetes' parser reads as booleans) is refused with its line number, so a manifest
that strays from the subset fails loudly instead of being misread.
"""
from __future__ import annotations

import re

_INT = re.compile(r"^[-+]?[0-9]+$")
_AMBIGUOUS = {"yes", "no", "on", "off", "y", "n"}


class YamlError(ValueError):
    pass


def _strip_comment(text: str) -> str:
    """Drop a `#` comment that is outside quotes and starts the line or follows a space."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or text[i - 1] in " [,:-"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] == " "):
            return text[:i].rstrip()
    return text.rstrip()


def _split_key(text: str) -> tuple[str, str] | None:
    """`key: value` -> (key, value); None when the text is not a mapping entry."""
    if text[:1] in "\"'":
        end = text.find(text[0], 1)
        if end > 0 and text[end + 1:end + 2] == ":" and text[end + 2:end + 3] in ("", " "):
            return text[1:end], text[end + 2:].strip()
        return None
    if text[:1] in "[{":
        return None
    match = re.search(r":( |$)", text)
    if not match:
        return None
    return text[:match.start()], text[match.end():].strip()


def scalar(text: str, line: int = 0):
    if text == "" or text in ("null", "~"):
        return None
    if text[0] == '"':
        if len(text) < 2 or not text.endswith('"'):
            raise YamlError(f"line {line}: unterminated string {text!r}")
        body = text[1:-1]
        return re.sub(r'\\(["\\/nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    if text[0] == "'":
        if len(text) < 2 or not text.endswith("'"):
            raise YamlError(f"line {line}: unterminated string {text!r}")
        return text[1:-1].replace("''", "'")
    if text in ("{}", "[]"):
        return {} if text == "{}" else []
    if text[0] == "[":
        return _flow_sequence(text, line)
    if text[0] in "{&*!|>%@`":
        raise YamlError(f"line {line}: {text!r} is outside the supported subset")
    if text.lower() in _AMBIGUOUS:
        raise YamlError(f"line {line}: {text!r} is a boolean to YAML 1.1 readers; quote it")
    if ": " in text:
        raise YamlError(f"line {line}: a plain scalar cannot hold ': ' ({text!r})")
    if text in ("true", "false"):
        return text == "true"
    if _INT.match(text):
        return int(text)
    return text


def _flow_sequence(text: str, line: int) -> list:
    if not text.endswith("]"):
        raise YamlError(f"line {line}: a flow sequence must end on its line")
    items, current, quote = [], "", None
    for ch in text[1:-1]:
        if quote:
            current += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch == ",":
            items.append(current.strip())
            current = ""
        elif ch in "[]{}":
            raise YamlError(f"line {line}: nested flow collections are outside the subset")
        else:
            current += ch
    if quote:
        raise YamlError(f"line {line}: unterminated string in {text!r}")
    if current.strip():
        items.append(current.strip())
    return [scalar(item, line) for item in items]


class _Reader:
    def __init__(self, lines: list[str], first_line: int):
        self.raw = lines
        self.first = first_line
        self.i = 0
        # Synthetic lines for `- key: value`: (indent, text) standing in for raw[i].
        self.override: dict[int, tuple[int, str]] = {}

    def _skip(self) -> None:
        while self.i < len(self.raw) and self.i not in self.override and not _strip_comment(self.raw[self.i]).strip():
            self.i += 1

    def peek(self) -> tuple[int, str] | None:
        self._skip()
        if self.i >= len(self.raw):
            return None
        if self.i in self.override:
            return self.override[self.i]
        text = _strip_comment(self.raw[self.i])
        if "\t" in text[:len(text) - len(text.lstrip())]:
            raise YamlError(f"line {self.line}: tabs cannot indent YAML")
        return len(text) - len(text.lstrip(" ")), text.strip()

    @property
    def line(self) -> int:
        return self.first + self.i

    def block(self, indent: int):
        head = self.peek()
        if head is None or head[0] < indent:
            return None
        if head[1] == "-" or head[1].startswith("- "):
            return self.sequence(head[0])
        return self.mapping(head[0])

    def mapping(self, indent: int) -> dict:
        result: dict = {}
        while (head := self.peek()) is not None and head[0] >= indent:
            at, text = head
            if at > indent:
                raise YamlError(f"line {self.line}: unexpected indentation")
            if text == "-" or text.startswith("- "):
                break
            entry = _split_key(text)
            if entry is None:
                raise YamlError(f"line {self.line}: expected `key: value`, found {text!r}")
            key, value = entry
            if key in result:
                raise YamlError(f"line {self.line}: duplicate key {key!r}")
            line = self.line
            self.override.pop(self.i, None)
            self.i += 1
            if value in ("|", "|-"):
                result[key] = self.literal(indent, keep_newline=value == "|")
            elif value == "":
                nxt = self.peek()
                if nxt is not None and nxt[0] > indent:
                    result[key] = self.block(nxt[0])
                elif nxt is not None and nxt[0] == indent and (nxt[1] == "-" or nxt[1].startswith("- ")):
                    result[key] = self.sequence(indent)
                else:
                    result[key] = None
            else:
                result[key] = scalar(value, line)
        return result

    def sequence(self, indent: int) -> list:
        result = []
        while (head := self.peek()) is not None and head[0] == indent and (head[1] == "-" or head[1].startswith("- ")):
            at, text = head
            rest = text[1:].lstrip(" ")
            line = self.line
            if rest == "":
                self.override.pop(self.i, None)
                self.i += 1
                nxt = self.peek()
                result.append(self.block(nxt[0]) if nxt is not None and nxt[0] > indent else None)
            elif _split_key(rest) is not None:
                # `- key: value`: a mapping whose keys line up with `key`.
                self.override[self.i] = (at + len(text) - len(rest), rest)
                result.append(self.mapping(at + len(text) - len(rest)))
            else:
                self.override.pop(self.i, None)
                self.i += 1
                result.append(scalar(rest, line))
        if (head := self.peek()) is not None and head[0] > indent:
            raise YamlError(f"line {self.line}: unexpected indentation after a sequence")
        return result

    def literal(self, parent_indent: int, keep_newline: bool) -> str:
        lines: list[str] = []
        block_indent = None
        while self.i < len(self.raw):
            raw = self.raw[self.i]
            if raw.strip() == "":
                lines.append("")
                self.i += 1
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            if indent <= parent_indent:
                break
            if block_indent is None:
                block_indent = indent
            if indent < block_indent:
                raise YamlError(f"line {self.line}: a literal block line is less indented than its first")
            lines.append(raw[block_indent:])
            self.i += 1
        while lines and lines[-1] == "":
            lines.pop()
        text = "\n".join(lines)
        return text + "\n" if keep_newline and text else text


def load_all(text: str) -> list:
    """Every document of a YAML stream; empty documents (only comments) are left out."""
    documents, current, start = [], [], 1
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if line.rstrip() == "---":
            documents.append((start, current))
            current, start = [], number + 1
        else:
            current.append(line)
    documents.append((start, current))
    result = []
    for first, body in documents:
        reader = _Reader(body, first)
        value = reader.block(0)
        if reader.peek() is not None:
            raise YamlError(f"line {reader.line}: text after the end of the document")
        if value is not None:
            result.append(value)
    return result


def load(text: str):
    documents = load_all(text)
    if len(documents) != 1:
        raise YamlError(f"expected one document, found {len(documents)}")
    return documents[0]
