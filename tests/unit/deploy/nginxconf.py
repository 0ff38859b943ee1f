"""A small reader of nginx configs, enough to check the rendered gateway without nginx.

`parse` tokenizes the config the way nginx does for what the renderer writes (words,
single- and double-quoted strings, `#` comments, `;`, `{`, `}`) and builds the directive
tree; it raises on an unbalanced brace or a directive left without its `;`.
`Router` then picks a location for a path by nginx's rules for exact and prefix
locations (the renderer writes no regex locations): an exact match wins, otherwise the
longest prefix.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field


class ConfigSyntaxError(ValueError):
    pass


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list["Directive"] | None = None
    line: int = 0

    def children(self, name: str) -> list["Directive"]:
        return [d for d in self.block or [] if d.name == name]

    def child(self, name: str) -> "Directive":
        found = self.children(name)
        if len(found) != 1:
            raise AssertionError(f"expected one {name!r} in {self.name}, found {len(found)}")
        return found[0]


def tokenize(text: str) -> list[tuple[str, int, bool]]:
    """(token, line, quoted) triples; a quoted token keeps its content without the quotes."""
    tokens: list[tuple[str, int, bool]] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif ch == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif ch in "{};":
            tokens.append((ch, line, False))
            i += 1
        elif ch in "'\"":
            start, i = i + 1, i + 1
            while i < n and text[i] != ch:
                if text[i] == "\\":
                    i += 1
                i += 1
            if i >= n:
                raise ConfigSyntaxError(f"line {line}: unterminated string")
            tokens.append((text[start:i], line, True))
            line += text[start:i].count("\n")
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in "{};'\"":
                i += 1
            tokens.append((text[start:i], line, False))
    return tokens


def parse(text: str) -> Directive:
    """The directive tree under a synthetic `main` root."""
    root = Directive("main", [], [])
    stack = [root]
    current: list[tuple[str, int, bool]] = []
    for token, line, quoted in tokenize(text):
        if not quoted and token == ";":
            if not current:
                raise ConfigSyntaxError(f"line {line}: empty directive")
            stack[-1].block.append(Directive(current[0][0], [t for t, _, _ in current[1:]], None, current[0][1]))
            current = []
        elif not quoted and token == "{":
            if not current:
                raise ConfigSyntaxError(f"line {line}: block without a directive")
            block = Directive(current[0][0], [t for t, _, _ in current[1:]], [], current[0][1])
            stack[-1].block.append(block)
            stack.append(block)
            current = []
        elif not quoted and token == "}":
            if current:
                raise ConfigSyntaxError(f"line {line}: {current[0][0]!r} is missing its ';'")
            if len(stack) == 1:
                raise ConfigSyntaxError(f"line {line}: '}}' closes nothing")
            stack.pop()
        else:
            current.append((token, line, quoted))
    if current:
        raise ConfigSyntaxError(f"{current[0][0]!r} is missing its ';' at the end of the file")
    if len(stack) != 1:
        raise ConfigSyntaxError(f"{stack[-1].name} opened on line {stack[-1].line} is never closed")
    return root


@dataclass(frozen=True)
class Route:
    """What a location does with a request: proxy it, or answer it itself."""

    location: str
    upstream: str | None = None  # the upstream block's name, when proxied
    uri: str | None = None       # the path sent upstream when proxy_pass replaces it
    status: int | None = None    # the status of a `return`
    body: str | None = None
    content_type: str | None = None
    access: tuple[tuple[str, str], ...] = ()  # ("allow"|"deny", address), in order
    root: str | None = None      # a static location: files under this folder
    try_files: tuple[str, ...] = ()
    error_pages: tuple[tuple[str, ...], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # add_header name, value

    def file_for(self, path: str) -> str | None:
        """The file a static location serves for a path: try_files' first entry, or the path."""
        if self.root is None:
            return None
        return self.try_files[0] if self.try_files else path

    def admits(self, client: str) -> bool:
        """nginx's access module: the first rule whose address covers the client decides."""
        address = ipaddress.ip_address(client)
        for verdict, network in self.access:
            if network == "all" or address in ipaddress.ip_network(network, strict=False):
                return verdict == "allow"
        return True


@dataclass
class Router:
    exact: dict[str, Route] = field(default_factory=dict)
    prefix: dict[str, Route] = field(default_factory=dict)
    named: dict[str, Route] = field(default_factory=dict)

    def route(self, path: str) -> Route | None:
        if path in self.exact:
            return self.exact[path]
        matches = [p for p in self.prefix if path.startswith(p)]
        return self.prefix[max(matches, key=len)] if matches else None


def _route(location: Directive, name: str) -> Route:
    upstream = uri = status = body = content_type = root = None
    access: list[tuple[str, str]] = []
    try_files: tuple[str, ...] = ()
    error_pages: list[tuple[str, ...]] = []
    headers: list[tuple[str, str]] = []
    for d in location.block or []:
        if d.name == "proxy_pass":
            target = d.args[0]
            if not target.startswith("http://"):
                raise AssertionError(f"{name}: proxy_pass {target} is not http://")
            host, slash, rest = target[len("http://"):].partition("/")
            upstream, uri = host, (slash + rest if slash else None)
        elif d.name == "return":
            status, body = int(d.args[0]), (d.args[1] if len(d.args) > 1 else None)
        elif d.name in ("allow", "deny"):
            access.append((d.name, d.args[0]))
        elif d.name == "default_type":
            content_type = d.args[0]
        elif d.name == "root":
            root = d.args[0]
        elif d.name == "try_files":
            try_files = tuple(d.args)
        elif d.name == "error_page":
            error_pages.append(tuple(d.args))
        elif d.name == "add_header":
            headers.append((d.args[0], d.args[1]))
    return Route(name, upstream, uri, status, body, content_type, tuple(access), root, try_files,
                 tuple(error_pages), tuple(headers))


def router(server: Directive) -> Router:
    result = Router()
    for location in server.children("location"):
        args = location.args
        if len(args) == 2 and args[0] == "=":
            if args[1] in result.exact:
                raise AssertionError(f"duplicate location = {args[1]}")
            result.exact[args[1]] = _route(location, "= " + args[1])
        elif len(args) == 1 and args[0].startswith("@"):
            result.named[args[0]] = _route(location, args[0])
        elif len(args) == 1 and args[0].startswith("/"):
            if args[0] in result.prefix:
                raise AssertionError(f"duplicate location {args[0]}")
            result.prefix[args[0]] = _route(location, args[0])
        else:
            raise AssertionError(f"location {' '.join(args)}: only exact and prefix locations are expected")
    return result


def server_of(root: Directive) -> Directive:
    return root.child("http").child("server")


def upstreams_of(root: Directive) -> dict[str, list[str]]:
    return {u.args[0]: [s.args[0] for s in u.children("server")] for u in root.child("http").children("upstream")}
